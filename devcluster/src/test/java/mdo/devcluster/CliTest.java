package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/devcluster up --detach / status / down, with real child processes (a JVM, etcd, tasks). */
class CliTest {
  @TempDir Path state;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final List<ProcessHandle> started = new ArrayList<>();

  /** Even a failing test must not leave a dev cluster, etcd or task behind. */
  @AfterEach
  void cleanUp() {
    Main.run("down", "--state-dir", state.toString(), "--grace", "5");
    for (ProcessHandle p : started) p.destroyForcibly();
  }

  private record Run(int code, String out) {}

  private static synchronized Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(code, captured.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(original);
    }
  }

  private String get(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private String post(String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // the peer port (+1) must be free too
      }
    }
    throw new IllegalStateException("no free port pair");
  }

  private ProcessHandle pid(String name) throws IOException {
    long pid = Long.parseLong(Files.readString(state.resolve(name + ".pid")).trim().split(" ")[0]);
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    started.add(handle);
    return handle;
  }

  private ProcessHandle taskProcess(String url, String appId) throws Exception {
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      String tasks = get(url + "/v2/apps" + appId + "/tasks");
      return tasks != null && tasks.contains("TASK_RUNNING");
    });
    String taskId = Harness.tree(get(url + "/v2/apps" + appId + "/tasks")).get("tasks").get(0).get("id").asText();
    long pid = Long.parseLong(Files.readString(state.resolve("tasks").resolve(taskId).resolve("pid")).trim().split(" ")[0]);
    ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
    started.add(handle);
    return handle;
  }

  @Test
  void upDetachedWithEtcdServesUntilDownStopsEverything() throws Exception {
    int port = freePort();
    int etcdPort = freePort();
    Run up = run("up", "--detach", "--port", Integer.toString(port), "--state-dir", state.toString(), "--etcd",
        "--etcd-port", Integer.toString(etcdPort), "--subscriber", "no-such-config.yaml", "--port-range", "36000-36099");
    assertThat(up.code()).as(up.out()).isZero();
    String url = "http://127.0.0.1:" + port;
    assertThat(up.out()).contains("Marathon API on " + url).contains("etcd healthy").contains("does not exist yet");
    assertThat(get(url + "/ping")).isEqualTo("pong");
    assertThat(get("http://127.0.0.1:" + etcdPort + "/health")).contains("\"health\":\"true\"");
    ProcessHandle devcluster = pid("devcluster");
    ProcessHandle etcd = pid("etcd");
    post(url + "/v2/apps", "{\"id\":\"cli-app\",\"cmd\":\"sleep 300\"}");
    ProcessHandle task = taskProcess(url, "/cli-app");

    Run status = run("status", "--state-dir", state.toString());
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("devcluster: running").contains("etcd: running").contains("app: /cli-app");

    Run down = run("down", "--state-dir", state.toString());
    assertThat(down.code()).isZero();
    assertThat(down.out()).contains("stopped devcluster");
    for (ProcessHandle p : List.of(devcluster, etcd, task)) {
      await().atMost(Duration.ofSeconds(10)).until(() -> !p.isAlive());
    }
    assertThat(get(url + "/ping")).isNull();
    assertThat(Files.exists(state.resolve("devcluster.pid"))).isFalse();
    assertThat(Files.exists(state.resolve("etcd.pid"))).isFalse();
    assertThat(run("status", "--state-dir", state.toString()).code()).isEqualTo(1);
  }

  @Test
  void downCleansUpTasksOfADevClusterThatWasKilled() throws Exception {
    int port = freePort();
    assertThat(run("up", "--detach", "--port", Integer.toString(port), "--state-dir", state.toString(),
        "--port-range", "36100-36199").code()).isZero();
    String url = "http://127.0.0.1:" + port;
    post(url + "/v2/apps", "{\"id\":\"orphan\",\"cmd\":\"sleep 300\"}");
    ProcessHandle task = taskProcess(url, "/orphan");
    ProcessHandle devcluster = pid("devcluster");

    devcluster.destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> !devcluster.isAlive());
    assertThat(task.isAlive()).as("the task outlives a SIGKILLed dev cluster").isTrue();

    Run down = run("down", "--state-dir", state.toString());
    assertThat(down.out()).contains("leftover task");
    await().atMost(Duration.ofSeconds(10)).until(() -> !task.isAlive());
  }

  @Test
  void aTakenPortIsReportedWithoutStartingAnything() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Run up = run("up", "--port", Integer.toString(taken.getLocalPort()), "--state-dir", state.toString());
      assertThat(up.code()).isEqualTo(1);
      assertThat(Files.exists(state.resolve("devcluster.pid"))).isFalse();
    }
  }

  @Test
  void flagsMarathonWouldRefuseAreRefusedBeforeAnythingStarts() {
    assertThat(run("up", "--marathon-version", "2.0", "--state-dir", state.toString()).code()).isEqualTo(2);
    assertThat(run("up", "--event-subscriber", "http_callback", "--state-dir", state.toString()).code())
        .as("the callback bus is 1.4 only").isEqualTo(2);
    assertThat(run("up", "--enable-features", "teleport", "--state-dir", state.toString()).code()).isEqualTo(2);
    assertThat(run("up", "--port-range", "32000-31000", "--state-dir", state.toString()).code()).isEqualTo(2);
    assertThat(run("up", "--standby-of", "http://127.0.0.1:8080", "--etcd", "--state-dir", state.toString()).code())
        .isEqualTo(2);
    assertThat(Files.exists(state.resolve("devcluster.pid"))).isFalse();
  }

  @Test
  void aDetachedStandbyProxiesToItsLeaderUntilDown() throws Exception {
    try (Harness leader = Harness.start()) {
      int port = freePort();
      Run up = run("up", "--detach", "--port", Integer.toString(port), "--state-dir", state.toString(),
          "--standby-of", leader.url, "--marathon-version", "1.8");
      assertThat(up.code()).as(up.out()).isZero();
      String url = "http://127.0.0.1:" + port;
      pid("devcluster");
      await().atMost(Duration.ofSeconds(10)).until(() -> "pong".equals(get(url + "/ping")));
      post(url + "/v2/apps", "{\"id\":\"via-cli-standby\",\"cmd\":\"sleep 60\",\"instances\":0}");
      assertThat(leader.get("/v2/apps/via-cli-standby").get("app").get("id").asText()).isEqualTo("/via-cli-standby");
      HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create(url + "/v2/events"))
          .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofString());
      assertThat(events.statusCode()).isEqualTo(302);
      assertThat(events.headers().firstValue("Location")).contains(leader.url + "/v2/events");
      assertThat(run("down", "--state-dir", state.toString()).code()).isZero();
      assertThat(get(url + "/ping")).isNull();
    }
  }
}
