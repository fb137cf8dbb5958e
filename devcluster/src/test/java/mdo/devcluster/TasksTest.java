package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tasks as real local processes: environment, scaling, kills, restarts, ports, an image without an engine. */
class TasksTest {
  static Harness h;

  @BeforeAll
  static void start() {
    // No container engine, whatever this machine has installed: images are tested in docker-images/.
    h = Harness.start(s -> s.withContainerEngines(List.of("/nonexistent/docker", "/nonexistent/podman")));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @Test
  void tasksHaveEveryFieldOfMarathonsTaskObjects() {
    h.deploy("{\"id\":\"/shape/listed\",\"cmd\":\"sleep 60\"}");
    JsonNode task = h.tasks("/shape/listed").get(0);
    assertThat(h.get("/v2/tasks").get("tasks").toString()).contains(task.get("id").asText());
    JsonNode reference = parse(Payloads.marathon("tasks_get_response.json")).get("tasks").get(0);
    assertThat(fields(task)).containsAll(fields(reference))
        .contains("ipAddresses", "healthCheckResults", "state", "slaveId");
    assertThat(fields(task)).containsAll(fields(parse(Payloads.marathon("app_tasks_response.json")).get("tasks").get(0)));
    assertThat(task.get("appId").asText()).isEqualTo("/shape/listed");
    assertThat(task.get("state").asText()).isEqualTo("TASK_RUNNING");
    assertThat(task.get("ipAddresses").get(0).get("ipAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(task.get("ports").get(0).asInt()).isBetween(35000, 35999);
    assertThat(h.get("/v2/tasks?status=staging").get("tasks")).isEmpty();
    assertThat(h.get("/v2/tasks?status=running").get("tasks").size()).isPositive();
  }

  @Test
  void tasksGetMarathonsEnvironmentWithTheAppsEnvLast() throws IOException {
    h.deploy("""
        {"id":"/env/app","cmd":"env > \\"$MESOS_SANDBOX/env.txt\\"; exec sleep 60","cpus":0.5,"mem":32,
         "labels":{"team":"core","a.b-c":"x"},"env":{"MARATHON_APP_RESOURCE_MEM":"overridden","MY_VAR":"1"},
         "portDefinitions":[{"port":0,"name":"http"},{"port":0,"name":"admin"}]}""");
    JsonNode task = h.tasks("/env/app").get(0);
    Path envFile = h.sandbox(task.get("id").asText()).resolve("env.txt");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(envFile) && Files.size(envFile) > 0);
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(envFile)) {
      int eq = line.indexOf('=');
      if (eq > 0) env.put(line.substring(0, eq), line.substring(eq + 1));
    }
    int port0 = task.get("ports").get(0).asInt();
    int port1 = task.get("ports").get(1).asInt();
    assertThat(env).containsEntry("HOST", "127.0.0.1")
        .containsEntry("PORT0", Integer.toString(port0))
        .containsEntry("PORT1", Integer.toString(port1))
        .containsEntry("PORT", Integer.toString(port0))
        .containsEntry("PORTS", port0 + "," + port1)
        .containsEntry("PORT_HTTP", Integer.toString(port0))
        .containsEntry("PORT_ADMIN", Integer.toString(port1))
        .containsEntry("MESOS_TASK_ID", task.get("id").asText())
        .containsEntry("MARATHON_APP_ID", "/env/app")
        .containsEntry("MARATHON_APP_VERSION", task.get("version").asText())
        .containsEntry("MARATHON_APP_RESOURCE_CPUS", "0.5")
        .containsEntry("MARATHON_APP_RESOURCE_MEM", "overridden")
        .containsEntry("MARATHON_APP_LABEL_TEAM", "core")
        .containsEntry("MARATHON_APP_LABEL_A_B_C", "x")
        .containsEntry("MY_VAR", "1");
    assertThat(env.get("MARATHON_APP_LABELS").split(" ")).containsExactlyInAnyOrder("TEAM", "A_B_C");
    JsonNode servicePorts = task.get("servicePorts");
    assertThat(env).containsEntry("PORT_" + servicePorts.get(0).asInt(), Integer.toString(port0));
  }

  @Test
  void bridgeModeLocalProcessesGetTheirHostPortsByName() throws IOException {
    h.deploy("""
        {"id":"bridged","cmd":"env > \\"$MESOS_SANDBOX/env.txt\\"; exec sleep 60","networks":[{"mode":"container/bridge"}],
         "container":{"type":"DOCKER","docker":{"image":"nginx"},
           "portMappings":[{"containerPort":80,"hostPort":0,"name":"web"}]}}""");
    JsonNode task = h.tasks("/bridged").get(0);
    Path envFile = h.sandbox(task.get("id").asText()).resolve("env.txt");
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(envFile) && Files.size(envFile) > 0);
    String env = Files.readString(envFile);
    int hostPort = task.get("ports").get(0).asInt();
    assertThat(env).contains("PORT_WEB=" + hostPort + "\n", "PORT0=" + hostPort + "\n", "PORT_80=" + hostPort + "\n",
        "MARATHON_APP_DOCKER_IMAGE=nginx\n");
  }

  @Test
  void scalingDownKillsTheYoungestFirstAndScalingUpStartsMore() {
    h.deploy("{\"id\":\"scaled\",\"cmd\":\"sleep 60\",\"instances\":2}");
    List<JsonNode> two = h.tasks("/scaled");
    h.call("PUT", "/v2/apps/scaled", "{\"instances\":3}");
    h.awaitNoDeployments("/scaled");
    List<JsonNode> three = h.awaitRunning("/scaled", 3);
    String youngest = three.stream().map(t -> t.get("id").asText())
        .filter(id -> two.stream().noneMatch(t -> t.get("id").asText().equals(id))).findFirst().orElseThrow();

    h.call("PUT", "/v2/apps/scaled", "{\"instances\":2}");
    h.awaitNoDeployments("/scaled");
    List<String> left = h.awaitRunning("/scaled", 2).stream().map(t -> t.get("id").asText()).toList();
    assertThat(left).doesNotContain(youngest);
    assertThat(h.get("/v2/apps/scaled").get("app").get("tasksRunning").asInt()).isEqualTo(2);
  }

  @Test
  void aKillIsSigtermThenSigkillAfterTheGracePeriod() throws Exception {
    // The task traps SIGTERM and keeps running, so only the SIGKILL after the grace period ends it. It says when the
    // trap is set: a kill before that would end it at once.
    h.deploy("""
        {"id":"stubborn","taskKillGracePeriodSeconds":2,
         "cmd":"trap 'echo term >> \\"$MESOS_SANDBOX/signals\\"' TERM; touch \\"$MESOS_SANDBOX/trapped\\"; while true; do sleep 0.1; done"}""");
    JsonNode task = h.tasks("/stubborn").get(0);
    String taskId = task.get("id").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(h.sandbox(taskId).resolve("trapped")));
    long pid = Long.parseLong(Files.readString(h.sandbox(taskId).resolve("pid")).trim().split(" ")[0]);
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      long start = System.nanoTime();
      Harness.Reply reply = h.call("DELETE", "/v2/apps/stubborn/tasks/" + taskId + "?scale=true", null);
      assertThat(reply.code()).isEqualTo(200);
      assertThat(reply.json().has("deploymentId")).isTrue();
      JsonNode killed = events.next("status_update_event", d -> d.get("taskId").asText().equals(taskId)
          && d.get("taskStatus").asText().equals("TASK_KILLED")).data();
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(tookMillis).isGreaterThanOrEqualTo(1900);
      assertThat(killed.get("message").asText()).isEqualTo("Command terminated with signal Killed");
      assertThat(Files.readString(h.sandbox(taskId).resolve("signals"))).contains("term");
      assertThat(process.isAlive()).isFalse();
    }
    assertThat(h.get("/v2/apps/stubborn").get("app").get("instances").asInt()).isZero();
  }

  @Test
  void killingATaskWithoutScaleStartsAReplacement() {
    h.deploy("{\"id\":\"replaced\",\"cmd\":\"sleep 60\"}");
    String taskId = h.tasks("/replaced").get(0).get("id").asText();
    Harness.Reply reply = h.call("DELETE", "/v2/apps/replaced/tasks/" + taskId, null);
    assertThat(reply.code()).isEqualTo(200);
    assertThat(fields(reply.json())).isEqualTo(fields(parse(Payloads.marathon("app_task_kill_response.json"))));
    assertThat(reply.json().get("task").get("id").asText()).isEqualTo(taskId);
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<JsonNode> tasks = h.tasks("/replaced");
      return tasks.size() == 1 && !tasks.get(0).get("id").asText().equals(taskId)
          && tasks.get(0).get("state").asText().equals("TASK_RUNNING");
    });
    assertThat(h.call("DELETE", "/v2/apps/replaced/tasks/replaced.instance-nope._app.1", null).code()).isEqualTo(404);
  }

  @Test
  void aCrashedInstanceRestartsWithTheSameInstanceIdAndTheNextIncarnation() {
    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      h.post("/v2/apps", "{\"id\":\"crashy\",\"cmd\":\"sleep 0.3; exit 3\",\"backoffSeconds\":1,\"backoffFactor\":1}");
      JsonNode failed = events.next("status_update_event", d -> d.get("appId").asText().equals("/crashy")
          && d.get("taskStatus").asText().equals("TASK_FAILED")).data();
      assertThat(failed.get("message").asText()).isEqualTo("Command exited with status 3");
      String firstTask = failed.get("taskId").asText();
      assertThat(firstTask).endsWith("._app.1");
      JsonNode relaunched = events.next("status_update_event", d -> d.get("appId").asText().equals("/crashy")
          && d.get("taskStatus").asText().equals("TASK_RUNNING") && !d.get("taskId").asText().equals(firstTask)).data();
      String instanceId = firstTask.substring(0, firstTask.indexOf("._app."));
      assertThat(relaunched.get("taskId").asText()).isEqualTo(instanceId + "._app.2");
    }
    JsonNode app = h.get("/v2/apps/crashy").get("app");
    assertThat(app.get("lastTaskFailure").get("message").asText()).isEqualTo("Command exited with status 3");
    h.call("DELETE", "/v2/apps/crashy", null);
  }

  @Test
  void aDockerImageWithoutAnEngineFailsWithAMessageThatSaysSo() {
    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      h.post("/v2/apps", Payloads.marathon("networking-1.4-vs-1.5/bridge-net-new.json")
          .replace("bridge-net-new", "needs-docker").replace("\"instances\": 1", "\"instances\": 1, \"backoffSeconds\": 30"));
      JsonNode failed = events.next("status_update_event", d -> d.get("appId").asText().equals("/needs-docker")
          && d.get("taskStatus").asText().equals("TASK_FAILED")).data();
      assertThat(failed.get("message").asText()).contains("No container engine is reachable")
          .contains("/nonexistent/docker: not installed").contains("/nonexistent/podman: not installed")
          .contains("'nginx'").contains("'cmd'");
    }
    h.call("DELETE", "/v2/apps/needs-docker", null);
  }

  @Test
  void aFixedHostPortThatIsTakenFailsTheTaskClearly() throws IOException {
    try (ServerSocket taken = new ServerSocket(Harness.freeAgentPort());
         Harness.Recorder events = h.record("?event_type=status_update_event")) {
      int port = taken.getLocalPort();
      h.post("/v2/apps", "{\"id\":\"fixed\",\"cmd\":\"sleep 60\",\"requirePorts\":true,\"backoffSeconds\":30,"
          + "\"portDefinitions\":[{\"port\":" + port + "}]}");
      JsonNode failed = events.next("status_update_event", d -> d.get("appId").asText().equals("/fixed")
          && d.get("taskStatus").asText().equals("TASK_FAILED")).data();
      assertThat(failed.get("message").asText()).contains("host port " + port + " is already in use");
    }
    h.call("DELETE", "/v2/apps/fixed", null);
  }

  @Test
  void uniqueHostnameWithFixedPortsRunsOneInstanceOnThisHost() {
    int port = Harness.freeAgentPort();
    h.post("/v2/apps", "{\"id\":\"unique\",\"cmd\":\"sleep 60\",\"instances\":2,\"requirePorts\":true,"
        + "\"constraints\":[[\"hostname\",\"UNIQUE\"]],\"portDefinitions\":[{\"port\":" + port + "}]}");
    h.awaitRunning("/unique", 1);
    JsonNode app = h.get("/v2/apps/unique").get("app");
    assertThat(app.get("tasksRunning").asInt()).isEqualTo(1);
    assertThat(app.get("deployments")).as("the second instance waits for a host").hasSize(1);
    assertThat(h.tasks("/unique").get(0).get("ports").get(0).asInt()).isEqualTo(port);
    h.call("DELETE", "/v2/apps/unique", null);
  }

  @Test
  void whenATaskEndsItsBackgroundChildrenEndWithIt() throws Exception {
    try (Harness.Recorder events = h.record("?event_type=status_update_event")) {
      h.post("/v2/apps", "{\"id\":\"leaves-a-child\",\"backoffSeconds\":60,"
          + "\"cmd\":\"sleep 300 & echo $! > \\\"$MESOS_SANDBOX/child\\\"; sleep 0.5; exit 0\"}");
      JsonNode finished = events.next("status_update_event", d -> d.get("appId").asText().equals("/leaves-a-child")
          && d.get("taskStatus").asText().equals("TASK_FINISHED")).data();
      Path childFile = h.sandbox(finished.get("taskId").asText()).resolve("child");
      long child = Long.parseLong(Files.readString(childFile).trim());
      await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(child).map(p -> !p.isAlive()).orElse(true));
    }
    h.call("DELETE", "/v2/apps/leaves-a-child", null);
  }

  @Test
  void argsRunWithoutAShell() {
    h.deploy("{\"id\":\"with-args\",\"args\":[\"sleep\",\"60\"]}");
    assertThat(h.tasks("/with-args")).hasSize(1);
    assertThat(Set.of("TASK_RUNNING")).contains(h.tasks("/with-args").get(0).get("state").asText());
  }
}
