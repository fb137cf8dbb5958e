package mdo.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real etcd server process on loopback, for tests.
 *
 * <ol>
 *   <li>The binary is {@code $ETCD_BIN}, else {@code etcd} on the PATH; when it is missing, {@link #start()} throws with
 *       the install command. Tests never skip for lack of etcd.
 *   <li>Client and peer ports are free loopback ports chosen at start; {@link #restart()} keeps them and the data dir,
 *       so a client built before a restart reconnects to the same address.
 *   <li>Election timers are shortened (heartbeat 10 ms, election 100 ms): a fresh server is healthy in under 0.1 s.
 *   <li>{@link #close()} kills the process and deletes the data dir; a JVM shutdown hook does the same for servers a
 *       failed test left behind.
 *   <li>{@link #startTls} serves https on two client ports (so clients can be given several endpoints), optionally
 *       requiring client certificates; its health is read from a plain-http metrics port.
 *   <li>{@link EtcdCluster} runs several as the members of one cluster.
 * </ol>
 */
public final class EtcdServer implements AutoCloseable {
  private static EtcdServer shared;

  private final String name;
  private final Path dataDir;
  private final int clientPort;
  private final int peerPort;
  private final Tls tls;
  private final int secondClientPort;
  private final int metricsPort;
  private String initialCluster;
  private String clusterToken;
  private Process process;

  /**
   * What a TLS server presents and requires.
   *
   * @param certFile the server's certificate (PEM), for 127.0.0.1 and localhost
   * @param clientCa when not null, clients must present a certificate this CA signed
   */
  public record Tls(Path certFile, Path keyFile, Path clientCa) {}

  private EtcdServer(String name, Path dataDir, int clientPort, int peerPort, Tls tls, int secondClientPort,
      int metricsPort) {
    this.name = name;
    this.dataDir = dataDir;
    this.clientPort = clientPort;
    this.peerPort = peerPort;
    this.tls = tls;
    this.secondClientPort = secondClientPort;
    this.metricsPort = metricsPort;
    this.initialCluster = name + "=" + peerUrl();
    this.clusterToken = "mdo-test-" + dataDir.getFileName();
  }

  /** One server for the whole test JVM; tests sharing it keep to their own key prefix (environment name). */
  public static synchronized EtcdServer shared() {
    if (shared == null) shared = start();
    return shared;
  }

  /** A new server of the caller's own, for tests that stop and restart etcd. */
  public static EtcdServer start() {
    return start(null);
  }

  /** A server of the caller's own serving https on two client ports ({@link #endpoints()}). */
  public static EtcdServer startTls(Tls tls) {
    return start(tls);
  }

  private static EtcdServer start(Tls tls) {
    EtcdServer server = create("test", tls);
    server.launch();
    server.awaitHealthy(Duration.ofSeconds(20));
    return server;
  }

  /** A plain-http server not started yet, on free ports, alone in its cluster until {@link #joining} says otherwise. */
  static EtcdServer member(String name) {
    return create(name, null);
  }

  private static EtcdServer create(String name, Tls tls) {
    try {
      EtcdServer server = new EtcdServer(name, Files.createTempDirectory("mdo-etcd-"), freePort(), freePort(), tls,
          tls == null ? 0 : freePort(), tls == null ? 0 : freePort());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes this server a member of {@code initialCluster} ({@code name=peerUrl,...}); before its first start. */
  EtcdServer joining(String initialCluster, String clusterToken) {
    this.initialCluster = initialCluster;
    this.clusterToken = clusterToken;
    return this;
  }

  String name() {
    return name;
  }

  String peerUrl() {
    return "http://127.0.0.1:" + peerPort;
  }

  /** {@code http://127.0.0.1:<port>} ({@code https} for a TLS server): what {@code ETCD_ENDPOINTS} and {@code --etcd} take. */
  public String endpoint() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
  }

  /** Every client URL: {@link #endpoint()}, and for a TLS server a second one, by the name {@code localhost}. */
  public List<String> endpoints() {
    return tls == null ? List.of(endpoint()) : List.of(endpoint(), "https://localhost:" + secondClientPort);
  }

  public int clientPort() {
    return clientPort;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the process (SIGKILL, as a crash would), keeping its data. */
  public synchronized void stop() {
    if (process == null) return;
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  /** Starts the process again on the same ports and data; a cluster member rejoins its cluster. */
  public synchronized void restart() {
    stop();
    launch();
    awaitHealthy(Duration.ofSeconds(20));
  }

  @Override
  public synchronized void close() {
    stop();
    deleteRecursively(dataDir);
  }

  /** Starts the process; a member of a cluster is healthy only once a quorum of its cluster runs. */
  synchronized void launch() {
    String binary = binary();
    String client = tls == null ? endpoint() : endpoint() + ",https://127.0.0.1:" + secondClientPort;
    String peer = peerUrl();
    List<String> command = new java.util.ArrayList<>(List.of(binary,
        "--name", name, "--data-dir", dataDir.resolve("data").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", initialCluster, "--initial-cluster-token", clusterToken,
        "--heartbeat-interval=10", "--election-timeout=100", "--log-level=error"));
    if (tls != null) {
      command.addAll(List.of("--cert-file", tls.certFile().toString(), "--key-file", tls.keyFile().toString(),
          "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort));
      if (tls.clientCa() != null) {
        command.addAll(List.of("--client-cert-auth", "--trusted-ca-file", tls.clientCa().toString()));
      }
    }
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("etcd.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start etcd (" + binary + "): " + e.getMessage(), e);
    }
  }

  void awaitHealthy(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with " + process.exitValue() + ": " + log());
      }
      if (healthy()) return;
      sleep(10);
    }
    throw new IllegalStateException("etcd not healthy after " + timeout + ": " + log());
  }

  private boolean healthy() {
    try {
      String health = tls == null ? endpoint() : "http://127.0.0.1:" + metricsPort;
      HttpURLConnection c = (HttpURLConnection) URI.create(health + "/health").toURL().openConnection();
      c.setConnectTimeout(200);
      c.setReadTimeout(500);
      try {
        return c.getResponseCode() == 200
            && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"true\"");
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      return false;
    }
  }

  private String log() {
    try {
      return Files.readString(dataDir.resolve("etcd.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  static String binary() {
    String configured = System.getenv("ETCD_BIN");
    if (configured != null && !configured.isBlank()) return configured;
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "etcd");
      if (candidate.canExecute()) return candidate.getPath();
    }
    throw new IllegalStateException(
        "etcd binary not found on PATH (tests need a real etcd). Install it: sudo apt-get install etcd-server"
            + " (or set ETCD_BIN=/path/to/etcd)");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for etcd", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp dir left behind is harmless
    }
  }
}
