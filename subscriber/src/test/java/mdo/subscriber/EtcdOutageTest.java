package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** etcd stopped (SIGKILL) and restarted under a running subscriber. Uses an etcd of its own. */
class EtcdOutageTest {
  private final EtcdServer etcd = EtcdServer.start();
  private final Harness h = new Harness(etcd.endpoint());

  @AfterEach
  void tearDown() {
    h.close();
    etcd.close();
  }

  @Test
  void keepsRunningWhileEtcdIsDownReportsItAndConvergesWhenItReturns() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);

    etcd.stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").code() == 503);
    assertThat(h.get("/health").json().path("problems").toString()).contains("etcd unreachable");
    // events keep coming while etcd is away
    h.marathon.removeTask(h.taskId(1));
    h.marathon.emit(h.status(1, "TASK_KILLED", 30));
    h.marathon.putTask(h.task(3));
    h.marathon.emit(h.status(3, "TASK_RUNNING", 31));
    // it cannot renew its lease: it stops leading before etcd could give the lease to another subscriber
    await().atMost(Duration.ofSeconds(10))
        .until(() -> h.get("/health").json().path("role").asText(), "standby"::equals);
    assertThat(h.metric("mdo_subscriber_leader_transitions_total", "to=\"standby\"")).isEqualTo(1.0);
    assertThat(h.metric("mdo_subscriber_leader ")).isZero();
    assertThat(h.get("/info").code()).isEqualTo(200);
    assertThat(h.get("/health").code()).isEqualTo(503);

    etcd.restart(); // it leads again (etcd kept its lease) and its resync writes what the events said meanwhile
    h.awaitRegistry(r -> r.keySet().equals(Set.of(h.taskId(2), h.taskId(3))));
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").json().path("role").asText(), "leader"::equals);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").code() == 200);
  }
}
