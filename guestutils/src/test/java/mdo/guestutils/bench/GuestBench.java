package mdo.guestutils.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.guestutils.GatewayReader;
import mdo.guestutils.GuestEnv;
import mdo.guestutils.GuestUtils;
import mdo.guestutils.RegistryWatch;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;

/**
 * Prints guestutils' latencies: node-list from a warm watch (in-process), one-shot reads through the JSON gateway, and
 * the CLI's cold start ({@code bin/guestutils}, a new JVM per run): {@code node-list} and {@code port}, median of N
 * interleaved runs with and without its AppCDS archive, next to the machine's load average.
 *
 * <pre>bin/bench-guestutils [cliRuns]</pre>
 */
public final class GuestBench {
  public static void main(String[] args) throws Exception {
    int cliRuns = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    Path repo = Path.of(System.getProperty("mdo.repo.root", ".")).toAbsolutePath();
    try (EtcdServer etcd = EtcdServer.start();
        Client client = Etcd.client(EtcdSettings.of(etcd.endpoint()))) {
      String env = "bench";
      for (int i = 0; i < 5; i++) put(client, env, record("zookeeper", "zookeeper.task-" + i, i));
      for (int i = 0; i < 50; i++) put(client, env, record("cassandra", "cassandra.task-" + i, i));
      System.out.printf("registry: 5 zookeeper + 50 cassandra instances, etcd %s; %d cores, load average %s%n",
          etcd.endpoint(), Runtime.getRuntime().availableProcessors(), loadAverage());

      try (RegistryWatch watch = new RegistryWatch(client, env, Duration.ofMillis(100)).start()) {
        watch.awaitLoaded(Duration.ofSeconds(10));
        GuestUtils guest = new GuestUtils(new GuestEnv(Map.of()), watch);
        List<String> ports = List.of("peer", "election");
        report("node-list zookeeper (5 nodes), warm watch", 200_000, 20_000, () -> guest.getNodeList("zookeeper", ports));
        report("node-list cassandra (50 nodes), warm watch", 50_000, 10_000, () -> guest.getNodeList("cassandra", List.of("storage")));
      }

      GatewayReader gateway = new GatewayReader(env, EtcdSettings.of(etcd.endpoint()), Duration.ofSeconds(2));
      GuestUtils oneShot = new GuestUtils(new GuestEnv(Map.of()), gateway);
      report("node-list zookeeper, one-shot JSON gateway read (warm JVM)", 2_000, 300,
          () -> oneShot.getNodeList("zookeeper", List.of("peer")));

      long[] viaGateway = new long[5];
      long[] viaJetcd = new long[5];
      for (int i = 0; i < 5; i++) {
        viaGateway[i] = oneShot("gateway", etcd.endpoint(), env);
        viaJetcd[i] = oneShot("jetcd", etcd.endpoint(), env);
      }
      System.out.printf("first read in a fresh JVM (client setup included, 5 runs): JSON gateway median %d ms, jetcd median %d ms%n",
          median(viaGateway), median(viaJetcd));

      Path cli = repo.resolve("bin/guestutils");
      if (!Files.isExecutable(cli) || cliRuns <= 0) {
        System.out.println("CLI cold start: skipped (" + cli + " missing or 0 runs)");
        return;
      }
      Path cache = Files.createTempDirectory("mdo-bench-cds");
      Map<String, String> base = Map.of("ETCD_ENDPOINTS", etcd.endpoint(), "MDO_ENVIRONMENT", env,
          "MDO_CACHE_DIR", cache.toString(), "SERVICE_NAME", "zookeeper", "MESOS_TASK_ID", "zookeeper.task-1");
      String[] nodeList = {cli.toString(), "node-list", "zookeeper", "--ports", "peer,election"};
      String[] port = {cli.toString(), "port", "peer"};
      long first = runOnce(port, base, "1"); // makes the archive (training run + dump), then answers
      System.out.printf("CLI first run (makes the AppCDS archive from its training run): %d ms%n", first);
      System.out.printf("CLI cold start, median of %d interleaved runs each, load average before %s:%n", cliRuns,
          loadAverage());
      coldStart("node-list zookeeper --ports peer,election", nodeList, base, cliRuns);
      coldStart("port peer (own port; registry read)", port, base, cliRuns);
      System.out.printf("load average after: %s%n", loadAverage());
    }
  }

  /** Runs {@code cmd} {@code runs} times with the archive and as often without, interleaved so load hits both alike. */
  static void coldStart(String name, String[] cmd, Map<String, String> env, int runs) throws Exception {
    long[] withCds = new long[runs];
    long[] without = new long[runs];
    for (int i = 0; i < runs; i++) {
      withCds[i] = runOnce(cmd, env, "1");
      without[i] = runOnce(cmd, env, "0");
    }
    System.out.printf("  %-42s AppCDS median %d ms (min %d) | no archive median %d ms (min %d)%n", name,
        median(withCds), Arrays.stream(withCds).min().orElse(0), median(without), Arrays.stream(without).min().orElse(0));
  }

  interface Op {
    Object run() throws Exception;
  }

  static void report(String name, int n, int warmup, Op op) throws Exception {
    for (int i = 0; i < warmup; i++) op.run();
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      op.run();
      ns[i] = System.nanoTime() - t;
    }
    Arrays.sort(ns);
    System.out.printf("%s: p50 %.1f us, p99 %.1f us, max %.1f us (%d calls)%n", name, ns[n / 2] / 1e3,
        ns[(int) (n * 0.99)] / 1e3, ns[n - 1] / 1e3, n);
  }

  static long runOnce(String[] cmd, Map<String, String> env, String cds) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().remove("CONTAINER_NAME"); // the bench's own container name would stand in for the task's
    pb.environment().putAll(env);
    pb.environment().put("MDO_GUESTUTILS_CDS", cds);
    long t = System.nanoTime();
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("CLI did not finish in 60 s");
    }
    long ms = (System.nanoTime() - t) / 1_000_000;
    if (p.exitValue() != 0) throw new IllegalStateException("CLI failed: " + new String(out));
    return ms;
  }

  /** Other work on the machine inflates the CLI figures: print it next to them. */
  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Runs {@link OneShot} in a new JVM with this JVM's class path and returns the time it measured. */
  static long oneShot(String how, String endpoint, String env) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        OneShot.class.getName(), how, endpoint, env).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("one-shot read did not finish in 60 s");
    }
    String last = out.lines().reduce((a, b) -> b).orElse("");
    if (p.exitValue() != 0 || !last.endsWith(" 5")) throw new IllegalStateException("one-shot read failed: " + out);
    return Long.parseLong(last.split(" ")[0]);
  }

  static long median(long[] values) {
    long[] copy = values.clone();
    Arrays.sort(copy);
    return copy[copy.length / 2];
  }

  static InstanceRecord record(String service, String taskId, int ordinal) {
    return new InstanceRecord(service, taskId, null, ordinal, "10.0." + (ordinal / 250) + "." + (ordinal % 250 + 1),
        Map.of("peer", new PortMapping(31000 + ordinal, 2888, "tcp"), "election", new PortMapping(32000 + ordinal, 3888, "tcp"),
            "storage", new PortMapping(7000, 7000, "tcp")),
        Map.of(), "TASK_RUNNING", null, false, "/" + service, "v1", "agent", "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z");
  }

  static void put(Client client, String env, InstanceRecord r) throws Exception {
    client.getKVClient().put(Etcd.bytes(RegistryKeys.instance(env, r.service(), r.taskId())),
        ByteSequence.from(RegistryJson.write(r))).get(10, TimeUnit.SECONDS);
  }

  private GuestBench() {}
}
