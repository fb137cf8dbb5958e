package mdo.guestutils;

import io.etcd.jetcd.Client;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.command.Durations;
import mdo.command.JulLogging;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guestutils watch}: membership changes as JSON lines, or a command run per change. */
@Command(mixinStandardHelpOptions = true, name = "watch", description = {
    "Follow membership changes of SERVICE (comma-separated for several; default: $WATCHES).",
    "On start and on each change (debounced) it prints one JSON line {service, members, added, removed, revision},",
    "or runs --exec CMD with that JSON on stdin and MDO_WATCH_SERVICE, MDO_WATCH_MEMBERS, MDO_WATCH_ADDED,",
    "MDO_WATCH_REMOVED (node-list strings, comma-separated, with --ports), MDO_WATCH_REVISION and MDO_WATCH_DELTA",
    "in its environment. Survives etcd restarts: it resumes from the last revision it saw.",
    "",
    "Examples:",
    "  guestutils watch cassandra --exec ./on-membership-change.sh",
    "  guestutils watch zookeeper,kafka --ports client | while read -r change; do ...; done",
    "  WATCHES=zookeeper,kafka guestutils watch --exec 'echo $MDO_WATCH_SERVICE now $MDO_WATCH_MEMBERS'"})
final class WatchCommand implements java.util.concurrent.Callable<Integer> {
  /** gRPC logs start-up chatter through java.util.logging at INFO; a watch's stderr should carry only what matters. */
  private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

  @Mixin Main.Common common;
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE[,SERVICE]") String services;
  @Option(names = "--exec", paramLabel = "CMD", description = "run CMD through sh -c on each change") String exec;
  @Option(names = "--ports", split = ",", paramLabel = "NAME", description = "ports for MDO_WATCH_* node strings") List<String> ports = new ArrayList<>();
  @Option(names = "--label", paramLabel = "KEY[=VALUE]", description = "only instances with this label (repeatable)") List<String> labels = new ArrayList<>();
  @Option(names = "--include-unready", description = "count starting, unhealthy and draining instances as members") boolean includeUnready;
  @Option(names = "--debounce", paramLabel = "DURATION", converter = Durations.class, description = "coalesce changes for this long (default: 250ms)") Duration debounce = Duration.ofMillis(250);
  @Option(names = "--exec-timeout", paramLabel = "DURATION", converter = Durations.class, description = "kill CMD after this long (default: 10m)") Duration execTimeout = Duration.ofMinutes(10);
  @Option(names = "--count", paramLabel = "N", description = "exit after N notifications (default: run until stopped)") int count;

  @Override
  public Integer call() throws Exception {
    JulLogging.routeToSlf4j(); // a watch runs for long, through jetcd: gRPC's JUL chatter goes through SLF4J's levels
    GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
    GuestEnv env = common.env();
    String names = services != null ? services : env.get("WATCHES");
    if (names == null) throw new GuestUtilsException("No service to watch (give SERVICE or set WATCHES)");
    GuestConfig config = common.config();
    if (config.etcd() == null) throw new GuestUtilsException("etcd was not defined (set ETCD_ENDPOINTS or pass --etcd)");
    NodeQuery query = NodeQuery.defaults().withIncludeUnready(includeUnready);
    for (String label : labels) {
      int eq = label.indexOf('=');
      query = eq < 0 ? query.withLabel(label, "") : query.withLabel(label.substring(0, eq), label.substring(eq + 1));
    }
    CountDownLatch done = new CountDownLatch(count > 0 ? count : 1);
    AtomicInteger seen = new AtomicInteger();
    PrintWriter out = spec.commandLine().getOut();
    try (Client client = Etcd.client(config.etcd());
        RegistryWatch watch = new RegistryWatch(client, config.environment(), debounce).start()) {
      for (String service : names.split(",")) {
        if (service.isBlank()) continue;
        watch.listen(service.trim(), query, change -> {
          if (count > 0 && seen.incrementAndGet() > count) return;
          String json = json(change);
          if (exec == null) {
            out.println(json);
            out.flush();
          } else {
            runExec(change, json);
          }
          if (count > 0) done.countDown();
        });
      }
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      if (count > 0) done.await();
      else done.await(Long.MAX_VALUE, TimeUnit.DAYS);
    }
    return 0;
  }

  static String json(MembershipChange change) {
    return new String(RegistryJson.write(change), java.nio.charset.StandardCharsets.UTF_8);
  }

  private void runExec(MembershipChange change, String json) {
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", exec).redirectOutput(ProcessBuilder.Redirect.INHERIT)
        .redirectError(ProcessBuilder.Redirect.INHERIT);
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("MDO_WATCH_SERVICE", change.service());
    vars.put("MDO_WATCH_MEMBERS", nodes(change.members()));
    vars.put("MDO_WATCH_ADDED", nodes(change.added()));
    vars.put("MDO_WATCH_REMOVED", nodes(change.removed()));
    vars.put("MDO_WATCH_REVISION", String.valueOf(change.revision()));
    vars.put("MDO_WATCH_DELTA", String.valueOf(change.delta()));
    pb.environment().putAll(vars);
    try {
      Process p = pb.start();
      try (OutputStream stdin = p.getOutputStream()) {
        stdin.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        stdin.write('\n');
      } catch (IOException ignored) {
        // the command need not read its stdin
      }
      if (!p.waitFor(execTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        spec.commandLine().getErr().println("guestutils: killed --exec after " + execTimeout.toSeconds() + " s");
      } else if (p.exitValue() != 0) {
        spec.commandLine().getErr().println("guestutils: --exec exited with " + p.exitValue()
            + " for " + change.service() + " at revision " + change.revision());
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("guestutils: could not run --exec: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String nodes(List<InstanceRecord> records) {
    List<String> out = new ArrayList<>();
    for (InstanceRecord r : records) {
      int[] values = new int[ports.size()];
      for (int i = 0; i < values.length; i++) {
        PortMapping m = r.ports().get(ports.get(i));
        values[i] = m == null ? 0 : m.host();
      }
      out.add(NodeFormat.node(r.host(), values));
    }
    return String.join(",", out);
  }
}
