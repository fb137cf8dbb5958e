package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import mdo.framework.server.FrameworkProcess;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults around a running service with {@code backend: mesos}: the Mesos master fails over, the agent is cut off (and
 * comes back before or after its tasks were replaced). The service keeps its instances, nothing runs twice, and the
 * registry says what a container can count on.
 */
class MesosFailoverTest {
  MesosStack stack;

  @AfterEach
  void stop() {
    if (stack != null) stack.close();
  }

  private Map<String, InstanceRecord> launchTwo() {
    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(launched.code()).as(launched.toString()).isZero();
    return stack.awaitRegistry(2);
  }

  @Test
  void aMasterFailoverIsFollowedToTheNewLeaderWithTheSameFrameworkAndTasks() throws Exception {
    stack = new MesosStack(2);
    FrameworkProcess framework = stack.startFramework();
    Map<String, InstanceRecord> two = launchTwo();
    String frameworkId = subscribedFramework(framework, stack.cluster.urlOf(0));

    stack.cluster.failOverMaster();

    await("the framework subscribed at the new leader").atMost(Duration.ofSeconds(30))
        .until(() -> frameworkId.equals(subscribedFramework(framework, stack.cluster.urlOf(1))));
    assertThat(stack.frameworkIds()).containsExactly(frameworkId);
    assertThat(stack.awaitRegistry(2)).isEqualTo(two);

    Stack.Result up = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "3");
    assertThat(up.code()).as(up.toString()).isZero();
    assertThat(stack.awaitRegistry(3).keySet()).containsAll(two.keySet());
    assertThat(stack.frameworkIds()).containsExactly(frameworkId);
  }

  @Test
  void aStandbyTakesOverWithinSecondsOfTheLeadersSigkillWithTheSameFrameworkAndNothingDuplicated() throws Exception {
    stack = new MesosStack();
    Process first = stack.startFrameworkProcess("first");
    Process second = null;
    try {
      await("the first one leading").atMost(Duration.ofSeconds(60))
          .until(() -> stack.log("first").contains("leading: framework of environment"));
      second = stack.startFrameworkProcess("second");
      await("the second one standing by").atMost(Duration.ofSeconds(60))
          .until(() -> stack.log("second").contains("following: framework leader"));
      Map<String, InstanceRecord> two = launchTwo();
      String frameworkId = stack.frameworkIds().get(0);
      assertThat(stack.log("first")).contains("subscribed: framework " + frameworkId);
      assertThat(stack.log("second")).doesNotContain("subscribed: framework");
      JsonNode standby = stack.getJson(baseUrl(stack.log("second")) + "/health");
      assertThat(standby.path("role").asText()).isEqualTo("standby");
      assertThat(standby.path("leader").path("url").asText()).isEqualTo(baseUrl(stack.log("first")));

      long killed = System.nanoTime();
      first.destroyForcibly(); // SIGKILL: no resignation, no goodbye to Mesos
      assertThat(first.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      await("the standby subscribed as the same framework").atMost(Duration.ofSeconds(30))
          .until(() -> stack.log("second").contains("subscribed: framework " + frameworkId));
      double seconds = (System.nanoTime() - killed) / 1e9;
      System.out.printf("framework failover: the standby subscribed %.1f s after the leader's SIGKILL%n", seconds);
      assertThat(seconds).as("takeover time").isLessThan(15);
      assertThat(stack.frameworkIds()).containsExactly(frameworkId);
      assertThat(stack.awaitRegistry(2)).isEqualTo(two);
      assertThat(stack.log("second")).contains("reconciling (explicit): 2 task(s)");

      Stack.Result up = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "3");
      assertThat(up.code()).as(up + stack.log("second")).isZero();
      assertThat(stack.awaitRegistry(3).keySet()).containsAll(two.keySet());
      assertThat(stack.runningTaskIds("peers")).hasSize(3);
    } finally {
      first.destroyForcibly();
      if (second != null) {
        second.destroy();
        second.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  /** {@code http://host:port} of a framework process, from its start-up log line. */
  private static String baseUrl(String log) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("started: framework for environment '[^']+' on"
        + " ([0-9.]+:[0-9]+)").matcher(log);
    assertThat(m.find()).as("start-up line in %s", log).isTrue();
    return "http://" + m.group(1);
  }

  @Test
  void aTaskRecordedButNeverLaunchedIsResolvedByReconciliationAndNothingRunningIsTouched() throws Exception {
    stack = new MesosStack();
    FrameworkProcess framework = stack.startFramework();
    Map<String, InstanceRecord> two = launchTwo();
    stack.stopFramework(framework);
    // a scheduler that wrote a launch's record and died before its ACCEPT reached the master
    InstanceRecord model = two.values().iterator().next();
    String ghost = stack.env + "_peers.instance-00000000-0000-4000-8000-000000000001._app.1";
    String desired = stack.range("/mdo/" + stack.env + "/framework/services/peers").get(0).getValue().toString();
    String configVersion = RegistryJson.MAPPER.readTree(desired).path("configVersion").asText();
    stack.etcd.getKVClient().put(mdo.registry.Etcd.bytes("/mdo/" + stack.env + "/framework/tasks/" + ghost),
        io.etcd.jetcd.ByteSequence.from(RegistryJson.write(new mdo.framework.state.FrameworkTask(ghost, "peers",
            model.agentId(), "127.0.0.1", Map.of(), Map.of(), configVersion, configVersion, "TASK_STAGING", null,
            mdo.cluster.Timestamps.format(java.time.Instant.now()), null, null, false, false))))
        .get(5, java.util.concurrent.TimeUnit.SECONDS);

    stack.startFramework();

    await("the record of the task Mesos never had gone").atMost(Duration.ofSeconds(30))
        .until(() -> stack.range("/mdo/" + stack.env + "/framework/tasks/").size() == 2);
    assertThat(stack.awaitRegistry(2)).isEqualTo(two);
    assertThat(stack.runningTaskIds("peers")).isEqualTo(two.keySet());
  }

  /** The framework id when the process is subscribed at the master {@code url}, else null. */
  private static String subscribedFramework(FrameworkProcess framework, String url) {
    JsonNode mesos = RegistryJson.MAPPER.valueToTree(framework.health()).path("mesos");
    return mesos.path("state").asText().equals("SUBSCRIBED") && mesos.path("master").asText().startsWith(url)
        ? mesos.path("frameworkId").asText() : null;
  }

  @Test
  void anAgentBackWithinTheUnreachableTimeoutKeepsItsTasks() throws Exception {
    stack = new MesosStack();
    stack.startFramework();
    Map<String, InstanceRecord> two = launchTwo();

    stack.cluster.partitionAgent();
    await("the registry marking both unreachable").atMost(Duration.ofSeconds(30)).until(() ->
        stack.registry().values().stream().allMatch(r -> r.state().equals("TASK_UNREACHABLE") && !r.ready()));
    stack.cluster.healAgent();

    Map<String, InstanceRecord> back = stack.awaitRegistry(2);
    assertThat(back.keySet()).isEqualTo(two.keySet());
    assertThat(back.values()).extracting(InstanceRecord::ordinal).containsExactlyInAnyOrder(0, 1);
  }

  @Test
  void anAgentBackAfterTheUnreachableTimeoutHasItsOldTasksKilledAndReplaced() throws Exception {
    stack = new MesosStack();
    stack.startFramework();
    Map<String, InstanceRecord> two = launchTwo();

    stack.cluster.partitionAgent();
    await("the framework giving up on both (unreachable-timeout 3s)").atMost(Duration.ofSeconds(30))
        .until(() -> stack.range("/mdo/" + stack.env + "/framework/tasks/").stream()
            .filter(kv -> kv.getValue().toString().contains("\"inactive\":true")).count() == 2);
    assertThat(stack.progress("peers").orElseThrow().pending()).as("replacements wait for the agent").isEqualTo(2);
    stack.cluster.healAgent();

    Map<String, InstanceRecord> replaced = await("replacements running, the old tasks gone")
        .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .until(() -> stack.awaitRegistry(2), r -> disjoint(r.keySet(), two.keySet()));
    assertThat(stack.runningTaskIds("peers")).isEqualTo(replaced.keySet());
    assertThat(stack.cluster.liveTasks()).as("processes on the agent: the old ones were killed").isEqualTo(2);
    assertThat(replaced.values()).extracting(InstanceRecord::ordinal).doesNotHaveDuplicates();
  }

  @Test
  void aLostAgentsInstancesAreReplacedElsewhereAfterTheTimeoutAndKilledWhenItComesBack() throws Exception {
    stack = MesosStack.twoAgents();
    stack.startFramework();
    Map<String, InstanceRecord> two = launchTwo();
    String lostId = two.values().iterator().next().agentId();
    int lost = stack.twoAgents.agentId(0).getValue().equals(lostId) ? 0 : 1;
    Set<String> onLost = new TreeSet<>();
    two.values().stream().filter(r -> r.agentId().equals(lostId)).forEach(r -> onLost.add(r.taskId()));

    stack.twoAgents.partition(lost);

    // within the timeout the lost ones only turn unhealthy; after it, replacements run on the other agent
    await("replacements on the other agent").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .until(() -> stack.registry().values().stream().filter(InstanceRecord::ready).count() == 2
            && stack.registry().values().stream().filter(InstanceRecord::ready)
                .noneMatch(r -> r.agentId().equals(lostId)));
    assertThat(stack.registry().values()).filteredOn(r -> onLost.contains(r.taskId()))
        .allSatisfy(r -> assertThat(r.state()).isEqualTo("TASK_UNREACHABLE"));
    assertThat(stack.twoAgents.liveTasks(lost)).as("the lost agent's processes run on").isEqualTo(onLost.size());

    stack.twoAgents.heal(lost);

    int[] mostReady = {0};
    await("the returned tasks killed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
      Map<String, InstanceRecord> now = stack.registry();
      mostReady[0] = Math.max(mostReady[0], (int) now.values().stream().filter(InstanceRecord::ready).count());
      return stack.twoAgents.liveTasks(lost) == 0 && now.size() == 2 && disjoint(now.keySet(), onLost);
    });
    assertThat(mostReady[0]).as("ready instances at any time after the agent came back: never doubled").isEqualTo(2);
    Map<String, InstanceRecord> after = stack.awaitRegistry(2);
    assertThat(after.values()).noneMatch(r -> r.agentId().equals(lostId));
    assertThat(stack.progress("peers").orElseThrow().done()).isTrue();
  }

  private static boolean disjoint(Set<String> a, Set<String> b) {
    Set<String> both = new TreeSet<>(a);
    both.retainAll(b);
    return both.isEmpty();
  }
}
