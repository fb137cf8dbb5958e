package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import mdo.registry.InstanceRecord;

/**
 * What every fault test ends with: the registry in etcd equals what Marathon runs. Nothing lost (every task has its
 * record), nothing stale (no record without a task), every record says where its task is (host and port), and no two
 * instances of a service share an ordinal.
 */
final class Truth {
  private Truth() {}

  /** Waits until the registry matches Marathon, then asserts it in full (with a readable difference if it never did). */
  static void awaitRegistryMatchesMarathon(Harness h, Duration within) {
    try {
      await().atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> differences(h).isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      assertThat(differences(h)).as("registry vs Marathon after " + within).isEmpty();
    }
  }

  /** Task id -> what is wrong with its record; empty when the registry is the truth. */
  static Map<String, String> differences(Harness h) {
    Map<String, ObjectNode> tasks = h.marathon.tasks();
    Map<String, InstanceRecord> registry = h.registry();
    Map<String, String> wrong = new TreeMap<>();
    for (Map.Entry<String, ObjectNode> t : tasks.entrySet()) {
      InstanceRecord r = registry.get(t.getKey());
      if (r == null) {
        wrong.put(t.getKey(), "lost: Marathon runs it, the registry lacks it");
        continue;
      }
      String host = t.getValue().path("host").asText();
      int port = t.getValue().path("ports").path(0).asInt();
      if (!host.equals(r.host())) wrong.put(t.getKey(), "host " + r.host() + ", Marathon says " + host);
      boolean portKnown = r.ports().values().stream().anyMatch(p -> p.host() == port);
      if (!portKnown) wrong.put(t.getKey(), "ports " + r.ports() + ", Marathon says " + port);
    }
    for (String taskId : registry.keySet()) {
      if (!tasks.containsKey(taskId)) wrong.put(taskId, "stale: in the registry, Marathon does not run it");
    }
    Map<String, String> ordinals = new HashMap<>();
    for (InstanceRecord r : registry.values()) {
      String other = ordinals.put(r.service() + "#" + r.ordinal(), r.taskId());
      if (other != null) wrong.put(r.taskId(), "ordinal " + r.ordinal() + " of " + r.service() + " also held by " + other);
    }
    return wrong;
  }
}
