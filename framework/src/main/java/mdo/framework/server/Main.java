package mdo.framework.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import mdo.command.FailureHandler;
import mdo.command.JulLogging;
import mdo.command.Terminal;
import mdo.config.ConfigFiles;
import mdo.config.MdoConfig;
import mdo.leader.ElectionTiming;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/framework}: the native Mesos scheduler of one environment, until SIGTERM/SIGINT. */
@Command(name = "framework", mixinStandardHelpOptions = true, version = "mdo framework 0.1.0", sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "The native Mesos scheduler (backend: mesos): converges the services to the desired state launcher/updater "
            + "write to etcd, and keeps the registry of their instances.",
        "Run several per environment for high availability; one leads."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped by a signal", "1:could not start (etcd, the HTTP port)",
        "2:bad config or arguments"},
    footerHeading = "%nExamples:%n",
    footer = {
        "  framework --config config.yaml                 mesos: and etcd: from the file",
        "  framework --config config.yaml --port 5101     a second one (standby) on this machine",
        "  curl -s localhost:5100/health; curl -s localhost:5100/metrics",
        "",
        "The config file is --config FILE, else $MDO_CONFIG, else ./config.yaml. The Mesos",
        "principal and secret can come from MESOS_PRINCIPAL and MESOS_SECRET."})
public final class Main implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "config file (default: $MDO_CONFIG, else ./config.yaml)")
  Path config;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "address /health and /metrics bind to"
      + " (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "5100", description = "port of /health and /metrics; 0 for any free one"
      + " (default: ${DEFAULT-VALUE})")
  int port;

  public static void main(String[] args) {
    // The Mesos 1.11.0 classes are protoc 3.5 gencode: protobuf-java 3.25 would warn once per message type.
    System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
    // bin/framework runs for months: timestamps on every line, and only the warnings of Jetty, Javalin, gRPC, Netty and
    // jetcd (set here, not in a simplelogger.properties, which would reach launcher and updater through this jar)
    System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
    System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
    for (String quiet : List.of("org.eclipse.jetty", "io.javalin", "io.grpc", "io.netty", "io.vertx", "io.etcd")) {
      System.setProperty("org.slf4j.simpleLogger.log." + quiet, "warn");
    }
    JulLogging.routeToSlf4j();
    System.exit(FailureHandler.install(new CommandLine(new Main()), "framework").execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--port must be 0-65535, got " + port);
    }
    MdoConfig cfg = ConfigFiles.load(config, Terminal.system());
    FrameworkProcess process = new FrameworkProcess(cfg, FrameworkTuning.defaults(cfg), ElectionTiming.defaults(),
        Clock.systemUTC()).start(host, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      process.close();
      stopped.countDown();
    }, "mdo-shutdown"));
    stopped.await();
    return 0;
  }
}
