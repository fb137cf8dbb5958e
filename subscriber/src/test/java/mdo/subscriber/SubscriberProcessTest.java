package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import mdo.registry.InstanceRecord;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The subscriber as a real process (its {@code Main}), killed with SIGKILL and started again. */
class SubscriberProcessTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());
  private SubscriberProcess process;

  @AfterEach
  void tearDown() throws Exception {
    if (process != null) process.close();
    h.close();
  }

  private SubscriberProcess start() throws Exception {
    if (process != null) process.close();
    process = SubscriberProcess.start(h.marathon.url(), h.etcdEndpoint, h.env);
    return process;
  }

  @Test
  void aKilledProcessLeavesTheRegistryIntactAndItsSuccessorKeepsTheOrdinals() throws Exception {
    h.marathon.putTask(h.task(1)).putTask(h.task(2)).putTask(h.task(3));
    SubscriberProcess first = start();
    h.awaitRegistry(r -> r.size() == 3, SubscriberProcess.START);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.healthCode() == 200);
    Map<String, InstanceRecord> before = h.registry();

    first.kill();
    assertThat(h.registry()).isEqualTo(before);

    h.marathon.removeTask(h.taskId(2)); // ended while no subscriber ran
    h.marathon.putTask(h.task(4));
    SubscriberProcess again = start(); // leads once the killed one's lease expired
    h.awaitRegistry(r -> r.keySet().equals(Set.of(h.taskId(1), h.taskId(3), h.taskId(4))), SubscriberProcess.START);
    Map<String, InstanceRecord> after = h.registry();
    assertThat(after.get(h.taskId(1)).ordinal()).isEqualTo(before.get(h.taskId(1)).ordinal());
    assertThat(after.get(h.taskId(3)).ordinal()).isEqualTo(before.get(h.taskId(3)).ordinal());
    assertThat(after.get(h.taskId(4)).ordinal()).isEqualTo(before.get(h.taskId(2)).ordinal());
    await().atMost(Duration.ofSeconds(20)).until(() -> again.healthCode() == 200);
    assertThat(again.output()).contains("started: subscriber for environment '" + h.env + "'")
        .doesNotContain(Harness.TOKEN);
  }
}
