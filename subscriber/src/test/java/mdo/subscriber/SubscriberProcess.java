package mdo.subscriber;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A subscriber as a real process ({@link Main} on this JVM's class path) on a port of its own, to be killed with
 * SIGKILL or paused with SIGSTOP as an operating system would. Its output goes to a log file; {@link #close()} kills it
 * and deletes the log.
 */
final class SubscriberProcess implements AutoCloseable {
  /** A subscriber in a fresh JVM loads jetcd, gRPC and Javalin first: on a loaded 2-core machine that takes seconds. */
  static final Duration START = Duration.ofSeconds(40);
  private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();

  final int port;
  final Path log;
  private final Process process;

  private SubscriberProcess(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** @param extraArgs more flags for {@code bin/subscriber} */
  static SubscriberProcess start(String marathonUrl, String etcdEndpoints, String environment, String... extraArgs)
      throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path log = Files.createTempFile("mdo-subscriber-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "mdo.subscriber.Main", "--marathon", marathonUrl, "--etcd", etcdEndpoints, "--environment", environment,
        "--port", String.valueOf(port)));
    command.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("MDO_SUBSCRIBER_TOKEN", Harness.TOKEN);
    Process process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly)); // even if this JVM dies mid-test
    return new SubscriberProcess(port, log, process);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Waits for the process to end by itself; its exit code. */
  int exitCode(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("still running after " + within);
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook runs, nothing is resigned or flushed. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGSTOP: every thread stops where it is, as in a long GC pause or a frozen VM. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
  }

  /** {@code /health}'s status code, or -1 when it does not answer. */
  int healthCode() {
    try (Response r = HTTP.newCall(new Request.Builder().url(url() + "/health").build()).execute()) {
      return r.code();
    } catch (IOException e) {
      return -1;
    }
  }

  /** {@code /health}'s body as the admin sees it, or a missing node when it does not answer. */
  JsonNode health() {
    try (Response r = HTTP.newCall(new Request.Builder().url(url() + "/health")
        .header("Authorization", "Bearer " + Harness.TOKEN).build()).execute()) {
      return Harness.JSON.readTree(r.body().string());
    } catch (IOException e) {
      return Harness.JSON.missingNode();
    }
  }

  /** {@code leader}, {@code standby}, or empty when it does not answer. */
  String role() {
    return health().path("role").asText("");
  }

  /** A Prometheus sample's value summed over lines naming all {@code labels}; NaN when it does not answer. */
  double metric(String name, String... labels) {
    try (Response r = HTTP.newCall(new Request.Builder().url(url() + "/metrics").build()).execute()) {
      return Harness.sum(r.body().string(), name, labels);
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() throws Exception {
    kill();
    Files.deleteIfExists(log);
  }
}
