package mdo.subscriber;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mdo.config.SubscriberSettings;
import mdo.marathon.MarathonSettings;
import mdo.registry.EtcdSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/subscriber}: runs the subscriber until SIGTERM/SIGINT. Settings come from flags for now; secrets come from
 * the environment ({@code MDO_SUBSCRIBER_TOKEN}, {@code MARATHON_TOKEN}, {@code MARATHON_PASSWORD},
 * {@code ETCD_PASSWORD}) so they do not show in {@code ps}.
 */
@Command(name = "subscriber", mixinStandardHelpOptions = true,
    description = "Keeps the etcd registry in step with Marathon: one record per running instance of every mdo service.")
public final class Main implements Callable<Integer> {
  @Option(names = "--marathon", required = true, split = ",", description = "Marathon URL(s), comma-separated")
  List<URI> marathon;

  @Option(names = "--marathon-user", description = "Marathon basic-auth user (password from MARATHON_PASSWORD)")
  String marathonUser;

  @Option(names = "--marathon-ca", description = "PEM file of CAs to trust for Marathon HTTPS")
  java.nio.file.Path marathonCa;

  @Option(names = "--etcd", required = true, description = "etcd URL(s), comma-separated")
  String etcd;

  @Option(names = "--etcd-user", description = "etcd user (password from ETCD_PASSWORD)")
  String etcdUser;

  @Option(names = "--etcd-ca", description = "PEM file of CAs to trust for etcd TLS")
  java.nio.file.Path etcdCa;

  @Option(names = "--environment", defaultValue = "default", description = "registry environment (default: ${DEFAULT-VALUE})")
  String environment;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "5000", description = "port to serve on (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--url", description = "URL Marathon and tasks use to reach this subscriber (default http://host:port)")
  URI url;

  @Option(names = "--events", defaultValue = "SSE", description = "SSE (Marathon >= 0.9) or CALLBACK (< 1.5)")
  SubscriberSettings.EventSource events;

  @Option(names = "--resync-interval", defaultValue = "60", description = "seconds between full resyncs")
  long resyncSeconds;

  @Option(names = "--max-delete-fraction", defaultValue = "0.5",
      description = "a resync deleting more than this fraction of records refuses")
  double maxDeleteFraction;

  @Option(names = "--stream-idle-timeout", defaultValue = "35", description = "seconds of silence that mean a dead stream")
  long idleSeconds;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    SubscriberConfig config = new SubscriberConfig(etcdSettings(), marathonSettings(), subscriberSettings(), environment);
    return run(config);
  }

  /** Runs a subscriber built from explicit settings until the JVM is asked to stop: the entry for config loaders. */
  public static int run(SubscriberConfig config) throws InterruptedException {
    Subscriber subscriber = new Subscriber(config).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      subscriber.close();
      stopped.countDown();
    }, "mdo-shutdown"));
    stopped.await();
    return 0;
  }

  SubscriberSettings subscriberSettings() {
    return new SubscriberSettings(host, port, url, env("MDO_SUBSCRIBER_TOKEN"), events,
        Duration.ofSeconds(resyncSeconds), maxDeleteFraction, Duration.ofSeconds(idleSeconds), List.of());
  }

  MarathonSettings marathonSettings() {
    return new MarathonSettings(marathon, marathonUser, marathonUser == null ? null : env("MARATHON_PASSWORD"),
        env("MARATHON_TOKEN"), marathonCa, null);
  }

  EtcdSettings etcdSettings() {
    return new EtcdSettings(EtcdSettings.parse(etcd), etcdUser, etcdUser == null ? null : env("ETCD_PASSWORD"),
        etcdCa, null, null);
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }
}
