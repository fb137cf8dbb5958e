package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev cluster running Docker-image apps as real containers (podman here): BRIDGE port mappings published on the
 * host ports it reports (and the registry records), Marathon's task environment inside, kills with the grace period,
 * and no container left behind, even by a dev cluster that was SIGKILLed.
 */
class DevClusterContainersIT {
  /** The end of an app running the sample's java directly: the task says its own port, so it needs no etcd. */
  static final String SAMPLE_JAVA = """
      "parameters":[{"key":"entrypoint","value":"java"}]}},
       "args":["-cp","/opt/mdo/sample/*:/opt/mdo/sample/lib/*","mdo.sample.PeerService","--port","8080","--seeds",""]}""";
  @TempDir Path dir;
  ClusterStack stack;

  @BeforeAll
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  static void build() {
    Images.built();
  }

  @BeforeEach
  void start() {
    stack = new ClusterStack(dir, 38100);
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void bridgePortMappingsArePublishedOnTheReportedHostPortsWhichTheRegistryHolds() throws Exception {
    stack.deploy("""
        {"id":"/%1$s/web","instances":1,"cpus":0.1,"mem":128,
         "labels":{"MDO_SERVICE":"web","MDO_ENVIRONMENT":"%1$s"},"env":{"MY_SECRET":"s3cret-%2$d"},
         "networks":[{"mode":"container/bridge"}],
         "container":{"type":"DOCKER","portMappings":[{"containerPort":8080,"hostPort":0,"name":"http"}],
           "docker":{"image":"%3$s",%4$s
        """.formatted(stack.env, ProcessHandle.current().pid(), Images.get("sample").ref(), SAMPLE_JAVA));
    String appId = "/" + stack.env + "/web";
    JsonNode task = await("the task").atMost(Duration.ofSeconds(30))
        .until(() -> stack.tasks(appId).stream().filter(t -> t.path("state").asText().equals("TASK_RUNNING"))
            .findFirst().orElse(null), t -> t != null);
    String taskId = task.path("id").asText();
    int hostPort = task.path("ports").path(0).asInt();
    assertThat(hostPort).isBetween(38100, 38199);

    // The container's 8080 answers on the host port, as the task it is.
    JsonNode status = await("the sample on host port " + hostPort).atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
        .until(() -> stack.get("http://127.0.0.1:" + hostPort + "/"), s -> s != null);
    assertThat(status.path("task").asText()).isEqualTo(taskId);
    assertThat(stack.stdout(taskId)).contains("peer-service: listening on port 8080");

    // The registry holds the real host port and the container port.
    JsonNode record = await("the task's record").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .until(() -> stack.records("web").stream().findFirst().orElse(null), r -> r != null);
    assertThat(record.path("ports").path("http").path("host").asInt()).isEqualTo(hostPort);
    assertThat(record.path("ports").path("http").path("container").asInt()).isEqualTo(8080);

    // Marathon's task environment is the container's; its values are not on the engine's command line.
    List<String> containers = ClusterStack.containers(taskId);
    assertThat(containers).hasSize(1);
    String env = Podman.exec(containers.get(0), "env").ok().out();
    assertThat(env).contains("MESOS_TASK_ID=" + taskId, "MARATHON_APP_ID=" + appId, "PORT_HTTP=" + hostPort,
        "PORT0=" + hostPort, "HOST=127.0.0.1", "MARATHON_APP_LABEL_MDO_SERVICE=web", "MESOS_SANDBOX=/mnt/mesos/sandbox",
        "MY_SECRET=s3cret-" + ProcessHandle.current().pid());
    assertThat(clientCommandLines(taskId)).isNotEmpty().noneMatch(c -> c.contains("s3cret"));
  }

  @Test
  void aContainerThatIgnoresSigtermIsKilledAfterTheGracePeriodAndOneThatStopsIsGoneAtOnce() {
    stack.deploy("""
        {"id":"/%s/stubborn","instances":1,"cpus":0.1,"mem":32,"taskKillGracePeriodSeconds":4,
         "networks":[{"mode":"host"}],
         "container":{"type":"DOCKER","docker":{"image":"%s","parameters":[{"key":"entrypoint","value":"sh"}]}},
         "args":["-c","echo started; exec sleep 600"]}""".formatted(stack.env, Images.get("sample").ref()));
    stack.deploy("""
        {"id":"/%s/polite","instances":1,"cpus":0.1,"mem":128,"taskKillGracePeriodSeconds":30,
         "networks":[{"mode":"container/bridge"}],
         "container":{"type":"DOCKER","portMappings":[{"containerPort":8080,"hostPort":0,"name":"http"}],
           "docker":{"image":"%s",%s
        """.formatted(stack.env, Images.get("sample").ref(), SAMPLE_JAVA));
    String stubborn = runningTask("/" + stack.env + "/stubborn", "started");
    String polite = runningTask("/" + stack.env + "/polite", "listening on port 8080");

    // PID 1 without a SIGTERM handler ignores SIGTERM: it lives until the grace period ends, then is killed.
    long start = System.nanoTime();
    stack.delete("/" + stack.env + "/stubborn");
    stack.delete("/" + stack.env + "/polite");
    await("the polite container to go").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> ClusterStack.containers(polite).isEmpty());
    assertThat(ClusterStack.containers(stubborn)).as("the stubborn container before its grace period ended").isNotEmpty();
    await("the stubborn container to be killed").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .until(() -> ClusterStack.containers(stubborn).isEmpty());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void devclusterDownRemovesTheContainersOfADevClusterThatWasKilled() throws Exception {
    Path state = dir.resolve("cli-state");
    int port = SubscriberImageIT.freePort();
    Path devcluster = Images.REPO.resolve("bin/devcluster");
    run(List.of(devcluster.toString(), "up", "--detach", "--port", Integer.toString(port), "--state-dir", state.toString(),
        "--port-range", "38300-38399"));
    try {
      String url = "http://127.0.0.1:" + port;
      java.net.http.HttpResponse<String> created = stack.http.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create(url + "/v2/apps")).header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("""
              {"id":"/orphan","instances":1,"cpus":0.1,"mem":32,"networks":[{"mode":"host"}],
               "container":{"type":"DOCKER","docker":{"image":"%s","parameters":[{"key":"entrypoint","value":"sh"}]}},
               "args":["-c","exec sleep 600"]}""".formatted(Images.get("sample").ref()))).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String taskId = await("the orphan's container").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .until(() -> {
            try (var sandboxes = Files.list(state.resolve("tasks"))) {
              return sandboxes.map(s -> s.getFileName().toString()).filter(t -> !ClusterStack.containers(t).isEmpty())
                  .findFirst().orElse(null);
            } catch (IOException e) {
              return null;
            }
          }, t -> t != null);

      // The dev cluster dies without stopping anything; podman keeps the container running without its client.
      long pid = Long.parseLong(Files.readString(state.resolve("devcluster.pid")).trim().split(" ")[0]);
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).isEmpty());

      String down = run(List.of(devcluster.toString(), "down", "--state-dir", state.toString()));
      assertThat(down).contains("removed leftover container mdo-" + taskId);
      assertThat(ClusterStack.containers(taskId)).isEmpty();
    } finally {
      run(List.of(devcluster.toString(), "down", "--state-dir", state.toString()));
    }
  }

  /** Waits until the app's task runs and its container said {@code line}; the task id. */
  private String runningTask(String appId, String line) {
    return await(appId + " running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
      for (JsonNode t : stack.tasks(appId)) {
        String id = t.path("id").asText();
        if (t.path("state").asText().equals("TASK_RUNNING") && stack.stdout(id).contains(line)) return id;
      }
      return null;
    }, id -> id != null);
  }

  /** The command lines of the task's engine client and what it started, from the pid file in its sandbox. */
  private List<String> clientCommandLines(String taskId) throws IOException {
    long pid = Long.parseLong(Files.readString(stack.sandbox(taskId).resolve("pid")).trim().split(" ")[0]);
    ProcessHandle client = ProcessHandle.of(pid).orElseThrow();
    return java.util.stream.Stream.concat(java.util.stream.Stream.of(client), client.descendants()).map(p -> {
      try {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ');
      } catch (IOException e) {
        return "";
      }
    }).filter(c -> !c.isEmpty()).toList();
  }

  private static String run(List<String> command) {
    return Podman.command(command).out();
  }
}
