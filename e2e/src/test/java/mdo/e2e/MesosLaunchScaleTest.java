package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import mdo.registry.InstanceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link LaunchScaleTest}'s story with {@code backend: mesos}: the same commands, output, exit codes, registry and
 * signed membership callbacks, with the framework placing the tasks on the dev cluster's Mesos agent instead of
 * Marathon, and the subscriber serving the registry the framework writes.
 */
class MesosLaunchScaleTest {
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

  @Test
  void launchedServiceIsRegisteredFoundAndScaledUpAndDown() throws Exception {
    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(launched.code()).as(launched.toString()).isZero();
    assertThat(launched.out()).as(launched.toString()).contains("peers: creating " + stack.appId)
        .contains("peers: deployment finished, 2/2 running, 2/2 healthy");

    // etcd: one record per running task, ordinals 0..1, each named port the sample's real listening port
    Map<String, InstanceRecord> two = stack.awaitRegistry(2);
    assertThat(two.values()).extracting(InstanceRecord::ordinal).containsExactlyInAnyOrder(0, 1);
    for (InstanceRecord r : two.values()) {
      assertThat(r.service()).isEqualTo("peers");
      assertThat(r.host()).isEqualTo("127.0.0.1");
      assertThat(r.appId()).isEqualTo(stack.appId);
      assertThat(r.instanceId()).isEqualTo(r.taskId().substring(0, r.taskId().indexOf("._app.")));
      assertThat(r.labels()).containsEntry("MDO_SERVICE", "peers").containsEntry("MDO_ENVIRONMENT", stack.env);
      assertThat(r.ports().get("http").host()).isBetween(37000, 37999);
      assertThat(r.ports().get("http").container()).isEqualTo(r.ports().get("http").host());
      assertThat(stack.sampleStatus(Stack.address(r)).path("task").asText())
          .as("the process answering on %s", Stack.address(r)).isEqualTo(r.taskId());
    }
    assertNodeList(Stack.nodeList(two.values()));

    // the subscriber serves the same registry (the framework wrote it; the subscriber only reads it)
    JsonNode served = stack.getJson(stack.subscriberUrl() + "/v1/services/peers");
    assertThat(served.path("environment").asText()).isEqualTo(stack.env);
    assertThat(taskIds(served.path("instances"))).isEqualTo(two.keySet());

    // the same config again: nothing to do
    String desired = stack.range("/mdo/" + stack.env + "/framework/services/peers").get(0).getValue().toString();
    Stack.Result again = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(again.code()).as(again.toString()).isZero();
    assertThat(again.out()).isEqualTo("peers: No changes.\n");
    assertThat(stack.runningTaskIds("peers")).isEqualTo(two.keySet());

    // a mistake in the config: exit 2, the field named, and the desired state left as it was
    String good = Files.readString(stack.config);
    Stack.write(stack.config, good.replace("mem: 64", "mem: lots"));
    Stack.Result bad = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).as(bad.toString()).contains("services.peers.mem");
    assertThat(stack.range("/mdo/" + stack.env + "/framework/services/peers").get(0).getValue().toString())
        .isEqualTo(desired);
    Stack.write(stack.config, good);

    // scale up: a third member with the next ordinal
    Stack.Result up = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "3");
    assertThat(up.code()).as(up.toString()).isZero();
    assertThat(up.out()).as(up.toString()).contains("peers: scaling " + stack.appId + " from 2 to 3 instance(s)")
        .contains("peers: deployment finished, 3/3 running, 3/3 healthy");
    Map<String, InstanceRecord> three = stack.awaitRegistry(3);
    assertThat(three.keySet()).containsAll(two.keySet());
    String joined = three.keySet().stream().filter(id -> !two.containsKey(id)).findFirst().orElseThrow();
    assertThat(three.get(joined).ordinal()).isEqualTo(2);
    for (InstanceRecord member : two.values()) {
      JsonNode notification = awaitNotification(member, 3);
      assertThat(taskIds(notification.path("added"))).as("added, as told to %s", member.taskId()).contains(joined);
      assertThat(taskIds(notification.path("members"))).isEqualTo(three.keySet());
    }
    assertNodeList(Stack.nodeList(three.values()));

    // scale down: the newest goes, the others keep their ordinals
    Stack.Result down = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "2");
    assertThat(down.code()).as(down.toString()).isZero();
    Map<String, InstanceRecord> after = stack.awaitRegistry(2);
    Set<String> removed = three.keySet().stream().filter(id -> !after.containsKey(id)).collect(Collectors.toSet());
    assertThat(removed).as("the newest instance is the one killed").containsExactly(joined);
    assertThat(after.values()).extracting(InstanceRecord::ordinal).containsExactlyInAnyOrder(0, 1);
    assertNodeList(Stack.nodeList(after.values()));
    assertThat(stack.runningTaskIds("peers")).isEqualTo(after.keySet());
    for (InstanceRecord member : after.values()) {
      JsonNode notification = awaitNotification(member, 2);
      assertThat(taskIds(notification.path("removed"))).as("removed, as told to %s", member.taskId()).contains(joined);
    }
  }

  /** The sample's last accepted (so correctly signed) notification, once it lists {@code members} members. */
  private JsonNode awaitNotification(InstanceRecord member, int members) {
    String address = Stack.address(member);
    await("a signed callback with " + members + " members at " + member.taskId()).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> stack.sampleStatus(address).path("membersNotified").asInt() == members);
    return stack.sampleStatus(address).path("lastNotification");
  }

  private static Set<String> taskIds(JsonNode instances) {
    Set<String> ids = new java.util.TreeSet<>();
    instances.forEach(i -> ids.add(i.path("taskId").asText()));
    return ids;
  }

  private void assertNodeList(List<String> expected) {
    Stack.Result nodes = stack.guestutils("node-list", "peers", "--ports", "http");
    assertThat(nodes.code()).as(nodes.toString()).isZero();
    assertThat(nodes.out().lines().toList()).as(nodes.toString()).isEqualTo(expected);
  }
}
