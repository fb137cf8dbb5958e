package mdo.subscriber;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mdo.command.Durations;
import mdo.command.FailureHandler;
import mdo.command.JulLogging;
import mdo.command.Terminal;
import mdo.config.ConfigFiles;
import mdo.config.MarathonSettings;
import mdo.config.MdoConfig;
import mdo.config.SubscriberSettings;
import mdo.registry.EtcdSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bin/subscriber}: runs the subscriber until SIGTERM/SIGINT. Settings come from config.yaml ({@code --config},
 * else {@code $MDO_CONFIG}, else ./config.yaml), or entirely from flags when {@code --marathon} and {@code --etcd} are
 * given. Secrets come from the file or the environment ({@code MDO_SUBSCRIBER_TOKEN}, {@code MDO_REGISTRATION_SECRET},
 * {@code MARATHON_TOKEN}, {@code MARATHON_PASSWORD}, {@code ETCD_PASSWORD}), never from flags, so they do not show in
 * {@code ps}.
 */
@Command(name = "subscriber", mixinStandardHelpOptions = true,
    description = {
        "Keeps the etcd registry in step with Marathon: one record per running instance of every mdo service.",
        "Run several per environment for high availability: one leads (an etcd lease), the others stand by, serve the "
            + "registry, forward the rest to the leader and take over when it goes.",
        "With backend: mesos in config.yaml, bin/framework writes the registry: the subscriber then serves it (/info "
            + "shows why tasks wait) and delivers callbacks, without following Marathon."},
    footer = {"", "Examples:",
        "  bin/subscriber --config config.yaml            # everything from the file (subscriber:, marathon:, etcd:)",
        "  MDO_SUBSCRIBER_TOKEN=s3cret MDO_REGISTRATION_SECRET=... bin/subscriber \\",
        "      --marathon https://m1:8443,https://m2:8443 --etcd https://e1:2379,https://e2:2379 \\",
        "      --etcd-ca ca.pem --etcd-cert subscriber.pem --etcd-key subscriber.key --environment prod",
        "  curl -s localhost:5000/health; open http://localhost:5000/info",
        "  curl -X POST -H 'Authorization: Bearer s3cret' localhost:5000/v1/resync",
        "",
        "Secrets come from the environment (or config.yaml), never from flags: MDO_SUBSCRIBER_TOKEN (the operators'",
        "admin token), MDO_REGISTRATION_SECRET (per-service registration tokens are derived from it),",
        "MARATHON_PASSWORD (with --marathon-user), MARATHON_TOKEN, ETCD_PASSWORD (with --etcd-user)."})
public final class Main implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "config.yaml to read (default: $MDO_CONFIG, else ./config.yaml); not used with --marathon/--etcd")
  java.nio.file.Path configFile;

  @Option(names = "--marathon", split = ",", description = "Marathon URL(s), comma-separated (with --etcd: no config file)")
  List<URI> marathon;

  @Option(names = "--marathon-user", description = "Marathon basic-auth user (password from MARATHON_PASSWORD)")
  String marathonUser;

  @Option(names = "--marathon-ca", description = "PEM file of CAs to trust for Marathon HTTPS")
  java.nio.file.Path marathonCa;

  @Option(names = "--etcd", description = "etcd URL(s), comma-separated (with --marathon: no config file)")
  String etcd;

  @Option(names = "--etcd-user", description = "etcd user (password from ETCD_PASSWORD)")
  String etcdUser;

  @Option(names = "--etcd-ca", description = "PEM file of CAs to trust for etcd TLS")
  java.nio.file.Path etcdCa;

  @Option(names = "--etcd-cert", description = "PEM client certificate for etcd (with --etcd-key)")
  java.nio.file.Path etcdCert;

  @Option(names = "--etcd-key", description = "PEM (PKCS#8) private key of --etcd-cert")
  java.nio.file.Path etcdKey;

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

  @Option(names = "--resync-unhealthy-after", defaultValue = "5m", converter = Durations.Positive.class,
      description = "/health answers 503 once resyncs have kept failing this long (default: ${DEFAULT-VALUE})")
  Duration resyncUnhealthyAfter;

  /** Accepted so existing command lines keep working; the guard it tuned confirms deletions now. */
  @Option(names = "--max-delete-fraction", hidden = true)
  Double maxDeleteFraction;

  @Option(names = "--callback-allow", split = ",", paramLabel = "CIDR|HOST",
      description = "networks or host names callback URLs may point at (private and loopback addresses need a CIDR)")
  List<String> callbackAllow;

  @Option(names = "--callback-source", split = ",", paramLabel = "CIDR|HOST",
      description = "with --events CALLBACK: accept Marathon's callbacks only from these")
  List<String> callbackSources;

  @Option(names = "--stream-idle-timeout", defaultValue = "35", description = "seconds of silence that mean a dead stream")
  long idleSeconds;

  public static void main(String[] args) {
    System.exit(FailureHandler.install(new CommandLine(new Main()), "subscriber")
        .setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    if (maxDeleteFraction != null) {
      spec.commandLine().getErr().println("subscriber: --max-delete-fraction is no longer used: a resync reconciles"
          + " every app Marathon lists, and deletes the records of an unlisted app only once Marathon confirms it gone");
    }
    if ((marathon == null) != (etcd == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "give both --marathon and --etcd, or neither (then config.yaml is read)");
    }
    SubscriberConfig config;
    if (marathon != null) {
      config = new SubscriberConfig(etcdSettings(), marathonSettings(), subscriberSettings(), environment);
    } else {
      MdoConfig file = ConfigFiles.load(configFile, Terminal.system());
      config = new SubscriberConfig(file.etcd(), file.marathon(), file.subscriber(), file.environment(), null,
          SubscriberConfig.RegistryWriter.forBackend(file.backend()));
    }
    return run(config);
  }

  /** Runs a subscriber built from explicit settings until the JVM is asked to stop: the entry for config loaders. */
  public static int run(SubscriberConfig config) throws InterruptedException {
    JulLogging.routeToSlf4j();
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
    try {
      return new SubscriberSettings(host, port, url, env("MDO_SUBSCRIBER_TOKEN"), events,
          Duration.ofSeconds(resyncSeconds), resyncUnhealthyAfter, Duration.ofSeconds(idleSeconds), callbackAllow,
          env("MDO_REGISTRATION_SECRET"), callbackSources);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  MarathonSettings marathonSettings() {
    try {
      return new MarathonSettings(marathon, marathonUser, marathonUser == null ? null : env("MARATHON_PASSWORD"),
          env("MARATHON_TOKEN"), marathonCa, null);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--marathon: " + e.getMessage());
    }
  }

  EtcdSettings etcdSettings() {
    if ((etcdCert == null) != (etcdKey == null)) {
      throw new CommandLine.ParameterException(spec.commandLine(), "give --etcd-cert and --etcd-key together");
    }
    if (etcdUser != null && env("ETCD_PASSWORD") == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--etcd-user needs ETCD_PASSWORD in the environment");
    }
    EtcdSettings settings;
    try {
      settings = new EtcdSettings(EtcdSettings.parse(etcd), etcdUser, etcdUser == null ? null : env("ETCD_PASSWORD"),
          etcdCa, etcdCert, etcdKey);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--etcd: " + e.getMessage());
    }
    if (settings.passwordInClear()) {
      spec.commandLine().getErr().println("warning: the etcd password goes over plain http to "
          + settings.endpointList() + ", readable by anyone on the network path; use https endpoints (with --etcd-ca),"
          + " or client certificates");
    }
    return settings;
  }

  private static String env(String name) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? null : v;
  }
}
