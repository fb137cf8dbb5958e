package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import mdo.framework.desired.ServiceProgress;
import mdo.registry.InstanceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the framework does when tasks fail or cannot be placed, on the dev cluster's one agent: relaunches keep their
 * instance and ordinal, and a task that cannot be placed says why, in the framework's progress and in launcher's
 * message.
 */
class MesosPlacementTest {
  MesosStack stack;

  @BeforeEach
  void start() throws Exception {
    stack = new MesosStack();
    stack.startFramework();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  Stack.Result launch(String timeout, String... services) {
    String[] args = new String[4 + services.length];
    args[0] = "--config";
    args[1] = stack.config.toString();
    args[2] = "--timeout";
    args[3] = timeout;
    System.arraycopy(services, 0, args, 4, services.length);
    return stack.launcher(args);
  }

  /** A sample instance on a fixed host port: one per agent (mdo adds hostname:UNIQUE). */
  static String fixed(String name, int port, int instances) {
    return """
          %s:
            cmd: exec %s/bin/sample-peer
            network: host
            ports-hard:
              http: %d
            instances: %d
            cpus: 0.1
            mem: 64
        """.formatted(name, Stack.REPO, port, instances);
  }

  @Test
  void aKilledInstanceIsRelaunchedAndKeepsItsOrdinal() {
    assertThat(launch("60s", "peers").code()).isZero();
    Map<String, InstanceRecord> two = stack.awaitRegistry(2);
    InstanceRecord victim = two.values().stream().filter(r -> r.ordinal() == 1).findFirst().orElseThrow();

    stack.taskProcess(victim.taskId()).destroyForcibly();

    // the same instance, a later incarnation (a loaded machine may fail a start or two: each relaunches it again)
    Map<String, InstanceRecord> after = await("the instance relaunched").atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100)).until(() -> stack.awaitRegistry(2), r -> !r.containsKey(victim.taskId()));
    InstanceRecord relaunched = after.values().stream().filter(r -> r.instanceId().equals(victim.instanceId()))
        .findFirst().orElseThrow(() -> new AssertionError("no incarnation of " + victim.instanceId() + " in " + after));
    assertThat(relaunched.taskId()).startsWith(victim.instanceId() + "._app.").isNotEqualTo(victim.taskId());
    assertThat(relaunched.ordinal()).isEqualTo(1);
    ServiceProgress progress = stack.progress("peers").orElseThrow();
    assertThat(progress.lastFailure()).startsWith("TASK_FAILED on 127.0.0.1 at ");
    assertThat(progress.done()).isTrue();
  }

  @Test
  void aFixedPortTakenByAnotherServiceLeavesTheTaskWaitingWithTheReason() {
    stack.services(fixed("first", 37950, 1) + fixed("second", 37950, 1));
    assertThat(launch("60s", "first").code()).isZero();

    Stack.Result second = launch("4s", "second");

    assertThat(second.code()).as(second.toString()).isEqualTo(1);
    assertThat(second.err()).as(second.toString())
        .contains("second: FAILED: timed out after 4s waiting for /" + stack.env + "/second: 0/1 running.")
        .contains("\n1 waiting: no agent with port 37950 free");
    ServiceProgress progress = stack.progress("second").orElseThrow();
    assertThat(progress.pending()).isEqualTo(1);
    assertThat(progress.pendingReason()).isEqualTo("no agent with port 37950 free");
    assertThat(stack.runningTaskIds("first")).hasSize(1);
    assertThat(stack.runningTaskIds("second")).isEmpty();
  }

  @Test
  void moreFixedPortInstancesThanAgentsRunOnePerAgent() {
    stack.services(fixed("gossip", 37960, 2));

    Stack.Result r = launch("4s", "gossip");

    assertThat(r.code()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("1/2 running").contains("1 waiting: constraint hostname:UNIQUE: 1 agent already"
        + " runs one");
    assertThat(stack.registry("gossip").values()).singleElement().satisfies(rec -> {
      assertThat(rec.ports().get("http").host()).isEqualTo(37960);
      assertThat(rec.ready()).isTrue();
    });
  }

  @Test
  void anUnsatisfiableConstraintSaysWhy() {
    stack.services(Stack.peers(1).replace("    cpus: 0.1\n", "    cpus: 0.1\n    constraints: [[rack, LIKE, r9]]\n"));

    Stack.Result r = launch("3s", "peers");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("1 waiting: constraint rack:LIKE:r9: 1 agent has no rack");
    String reason = "constraint rack:LIKE:r9: 1 agent has no rack";
    assertThat(stack.progress("peers").orElseThrow().pendingReason()).isEqualTo(reason);
    assertThat(stack.range("/mdo/" + stack.env + "/services/")).isEmpty();
    // the subscriber shows it, though no instance of the service runs
    JsonNode served = stack.getJson(stack.subscriberUrl() + "/v1/services/peers");
    assertThat(served.path("instances")).isEmpty();
    assertThat(served.path("waiting").path("count").asInt()).isEqualTo(1);
    assertThat(served.path("waiting").path("reason").asText()).isEqualTo(reason);
    assertThat(stack.getText(stack.subscriberUrl() + "/info")).contains("bin/framework: 1 instance waiting: " + reason);
  }

  @Test
  void aRestartWithAFixedPortKillsTheOldTaskBeforeStartingTheNewOne() {
    stack.services(fixed("gossip", 37970, 1));
    assertThat(launch("60s", "gossip").code()).isZero();
    String old = stack.runningTaskIds("gossip").first();

    Stack.Result restarted = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "gossip",
        "--restart");

    assertThat(restarted.code()).as(restarted.toString()).isZero();
    assertThat(restarted.out()).contains("gossip: deployment finished, 1/1 running");
    TreeSet<String> running = stack.runningTaskIds("gossip");
    assertThat(running).hasSize(1).doesNotContain(old);
    assertThat(stack.progress("gossip").orElseThrow().lastFailure())
        .as("no task failed: the new one started only once the old one had freed the port").isNull();
    InstanceRecord now = stack.registry("gossip").values().iterator().next();
    assertThat(now.taskId()).isEqualTo(running.first());
    assertThat(now.ports().get("http").host()).isEqualTo(37970);
    await("the new task answering on its fixed port").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .untilAsserted(() -> assertThat(stack.sampleStatus("127.0.0.1:37970").path("task").asText())
            .isEqualTo(running.first()));
  }
}
