package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import mdo.registry.InstanceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo's story as assertions: launch, look up, relaunch unchanged, scale up and down, with callbacks. */
class LaunchScaleTest {
  Stack stack;

  @BeforeEach
  void start() throws Exception {
    stack = new Stack();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void launchedServiceIsRegisteredFoundAndNotifiedAsItScalesUpAndDown() throws Exception {
    // launch: exit 0, and the user is told what happened
    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(launched.code()).as(launched.toString()).isZero();
    assertThat(launched.out()).as(launched.toString()).contains("peers: creating " + stack.appId)
        .contains("peers: deployment finished, 2/2 running, 2/2 healthy");

    // etcd: one record per running task, ordinals 0..1, and each named port is the sample's real listening port
    Map<String, InstanceRecord> two = stack.awaitRegistry(2);
    assertThat(two.values()).extracting(InstanceRecord::ordinal).containsExactlyInAnyOrder(0, 1);
    for (InstanceRecord r : two.values()) {
      assertThat(r.service()).isEqualTo("peers");
      assertThat(r.host()).isEqualTo("127.0.0.1");
      assertThat(r.ports().get("http").host()).isBetween(37000, 37999);
      assertThat(stack.sampleStatus(Stack.address(r)).path("task").asText())
          .as("the process answering on %s", Stack.address(r)).isEqualTo(r.taskId());
    }

    // bin/guestutils node-list, as a container runs it: host:port lines in ordinal order (same on every member)
    assertNodeList(Stack.nodeList(two.values()));

    // the subscriber serves the same registry
    JsonNode served = stack.getJson(stack.subscriberUrl() + "/v1/services/peers");
    assertThat(served.path("environment").asText()).isEqualTo(stack.env);
    assertThat(taskIds(served.path("instances"))).isEqualTo(two.keySet());

    // the same config again: nothing to do
    Stack.Result again = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(again.code()).as(again.toString()).isZero();
    assertThat(again.out()).as(again.toString()).contains("peers: No changes.");
    assertThat(stack.runningTaskIds()).isEqualTo(two.keySet());

    // a mistake in the config: exit 2, the field named, and the running app left as it was
    String version = stack.getJson(stack.cluster.url() + "/v2/apps" + stack.appId).path("app").path("version").asText();
    String good = java.nio.file.Files.readString(stack.config);
    Stack.write(stack.config, good.replace("mem: 64", "mem: lots"));
    Stack.Result bad = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(bad.code()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.err()).as(bad.toString()).contains("mem");
    assertThat(stack.getJson(stack.cluster.url() + "/v2/apps" + stack.appId).path("app").path("version").asText())
        .isEqualTo(version);
    assertThat(stack.getJson(stack.cluster.url() + "/v2/deployments")).isEmpty();
    Stack.write(stack.config, good);

    // scale up: a third member registers, and the first two receive a signed callback listing 3 members
    Stack.Result up = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "3");
    assertThat(up.code()).as(up.toString()).isZero();
    assertThat(up.out()).as(up.toString()).contains("peers: scaling " + stack.appId + " from 2 to 3 instance(s)");
    Map<String, InstanceRecord> three = stack.awaitRegistry(3);
    assertThat(three.values()).extracting(InstanceRecord::ordinal).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(three.keySet()).containsAll(two.keySet());
    String joined = three.keySet().stream().filter(id -> !two.containsKey(id)).findFirst().orElseThrow();
    assertThat(three.get(joined).ordinal()).isEqualTo(2);
    for (InstanceRecord member : two.values()) {
      JsonNode notification = awaitNotification(member, 3);
      assertThat(taskIds(notification.path("added"))).as("added, as told to %s", member.taskId()).contains(joined);
      assertThat(taskIds(notification.path("members"))).isEqualTo(three.keySet());
    }
    assertNodeList(Stack.nodeList(three.values()));

    // scale down: the removed member leaves etcd and node lists, and the others are told it was removed
    Stack.Result down = stack.updater("--config", stack.config.toString(), "--timeout", "60s", "peers", "2");
    assertThat(down.code()).as(down.toString()).isZero();
    Map<String, InstanceRecord> after = stack.awaitRegistry(2);
    Set<String> removed = three.keySet().stream().filter(id -> !after.containsKey(id)).collect(Collectors.toSet());
    assertThat(removed).hasSize(1);
    String gone = removed.iterator().next();
    assertThat(after.values()).extracting(InstanceRecord::ordinal)
        .containsExactlyInAnyOrderElementsOf(three.values().stream().filter(r -> !r.taskId().equals(gone))
            .map(InstanceRecord::ordinal).toList());
    assertNodeList(Stack.nodeList(after.values()));
    assertThat(stack.guestutils("node-list", "peers", "--ports", "http").out())
        .doesNotContain(Stack.address(three.get(gone)));
    for (InstanceRecord member : after.values()) {
      JsonNode notification = awaitNotification(member, 2);
      assertThat(taskIds(notification.path("removed"))).as("removed, as told to %s", member.taskId()).contains(gone);
    }
    assertThat(stack.refusedNotifications()).as("notifications the samples refused").isEmpty();
  }

  private void assertNodeList(List<String> expected) {
    Stack.Result nodes = stack.guestutils("node-list", "peers", "--ports", "http");
    assertThat(nodes.code()).as(nodes.toString()).isZero();
    assertThat(nodes.out().lines().toList()).as(nodes.toString()).isEqualTo(expected);
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
}
