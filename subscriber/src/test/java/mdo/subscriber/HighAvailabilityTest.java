package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mdo.config.SubscriberSettings;
import mdo.testkit.EtcdServer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two subscribers of one environment in this JVM: one leads, the other stands by (issue 10, failure 7). */
class HighAvailabilityTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  private String role(Subscriber s) {
    return h.get(s, "/health").json().path("role").asText();
  }

  /** {@code /health} as the admin sees it: the leader's URL included. */
  private JsonNode health(Subscriber s) {
    return h.get(s, "/health", Harness.TOKEN).json();
  }

  @Test
  void oneLeadsAndTheStandbyServesTheRegistryAndForwardsWhatOnlyTheLeaderDoes() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    Subscriber a = h.start();
    h.awaitRegistry(r -> r.size() == 2);
    Subscriber b = h.another();
    await().atMost(Duration.ofSeconds(10)).until(() -> !h.get(b, "/health").json().path("leader").isNull());

    JsonNode standby = health(b);
    assertThat(h.get(b, "/health").code()).as(standby.toString()).isEqualTo(200);
    assertThat(standby.path("role").asText()).isEqualTo("standby");
    JsonNode leader = standby.path("leader");
    assertThat(leader.path("url").asText()).isEqualTo(Harness.base(a));
    assertThat(leader.path("id").asText()).isNotBlank();
    assertThat(leader.path("since").asText()).isNotBlank();
    assertThat(health(a).path("role").asText()).isEqualTo("leader");
    assertThat(health(a).path("leader")).isEqualTo(leader);
    JsonNode anyone = h.get(b, "/health").json().path("leader");
    assertThat(anyone.path("id")).as("who leads, for everyone").isEqualTo(leader.path("id"));
    assertThat(anyone.path("url").isNull()).as("where, for the admin only").isTrue();
    assertThat(standby.path("stream").path("connected").isNull()).as("a standby reads no events").isTrue();
    assertThat(h.marathon.openStreams()).as("only the leader reads events").isEqualTo(1);

    // the standby serves the registry, read from etcd
    await().atMost(Duration.ofSeconds(10)).until(() ->
        h.get(b, "/v1/services").json().path("services").path("web").path("instances").size() == 2);
    assertThat(h.get(b, "/v1/services").json().path("services"))
        .isEqualTo(h.get(a, "/v1/services").json().path("services"));
    assertThat(h.get(b, "/info").body()).contains(h.taskId(1)).contains(h.taskId(2));

    // what only the leader does is forwarded to it, after the standby checked the token itself
    Harness.Reply resync = h.post(b, "/v1/resync", "", Harness.TOKEN);
    assertThat(resync.code()).isEqualTo(202);
    assertThat(resync.leader()).isEqualTo(Harness.base(a));
    Harness.Reply refused = h.post(b, "/v1/resync", "", "not-the-token");
    assertThat(refused.code()).isEqualTo(401);
    assertThat(refused.leader()).as("refused at the standby, never forwarded").isNull();

    assertThat(h.metric(a, "mdo_subscriber_leader ")).isEqualTo(1.0);
    assertThat(h.metric(b, "mdo_subscriber_leader ")).isZero();
    assertThat(h.metric(b, "mdo_subscriber_resyncs_total")).as("a standby never resyncs").isZero();
  }

  @Test
  void aCallbackRegisteredAtTheStandbyIsDeliveredOnceByTheLeader() throws Exception {
    try (MockWebServer receiver = new MockWebServer()) {
      receiver.start(InetAddress.getLoopbackAddress(), 0);
      for (int i = 0; i < 4; i++) receiver.enqueue(new MockResponse.Builder().code(200).build());
      h.marathon.putTask(h.task(1));
      SubscriberConfig config = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE,
          Harness.fastTuning(), List.of("127.0.0.0/8"));
      Subscriber a = h.start(config);
      Subscriber b = h.another(config);
      await().atMost(Duration.ofSeconds(10)).until(() -> role(b).equals("standby")
          && !h.get(b, "/health").json().path("leader").isNull());

      // as a task of service web does: for itself, owner of the registration
      Harness.Reply registered = h.post(b, "/v1/callbacks", "{\"service\":\"web\",\"url\":\"" + receiver.url("/members")
          + "\",\"taskId\":\"" + h.taskId(1) + "\",\"owner\":\"web\"}", Harness.TOKEN);
      assertThat(registered.code()).as(registered.body()).isEqualTo(201);
      assertThat(registered.leader()).isEqualTo(Harness.base(a));
      assertThat(registered.json().path("secret").asText()).hasSize(64);
      RecordedRequest first = receiver.takeRequest(10, TimeUnit.SECONDS);
      assertThat(first).isNotNull();

      h.marathon.putTask(h.task(2));
      h.marathon.emit(h.status(2, "TASK_RUNNING", 10));
      RecordedRequest joined = receiver.takeRequest(10, TimeUnit.SECONDS);
      assertThat(joined).isNotNull();
      assertThat(joined.getBody().utf8()).contains(h.taskId(2));
      assertThat(receiver.takeRequest(1, TimeUnit.SECONDS)).as("delivered once, by the leader only").isNull();
      assertThat(h.get(b, "/v1/callbacks").code()).as("no token: refused at the standby").isEqualTo(401);
    }
  }

  @Test
  void whenTheLeaderStopsTheStandbyTakesOverAndItsResyncWritesWhatChangedMeanwhile() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);
    Map<String, Integer> ordinals = Map.of(h.taskId(1), h.registry().get(h.taskId(1)).ordinal(),
        h.taskId(2), h.registry().get(h.taskId(2)).ordinal());
    Subscriber b = h.another();
    await().atMost(Duration.ofSeconds(10)).until(() -> role(b).equals("standby"));

    h.stopSubscriber(); // resigns: the standby leads at its next read of the leader key
    h.marathon.removeTask(h.taskId(1)); // no event: only a resync can tell
    h.marathon.putTask(h.task(3));
    long stopped = System.nanoTime();
    await().atMost(Duration.ofSeconds(5)).until(() -> role(b).equals("leader"));
    assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(3));
    h.awaitRegistry(r -> r.keySet().equals(Set.of(h.taskId(2), h.taskId(3))));
    assertThat(h.registry().get(h.taskId(2)).ordinal()).isEqualTo(ordinals.get(h.taskId(2)));
    assertThat(h.registry().get(h.taskId(3)).ordinal()).as("the ordinal task 1 freed")
        .isEqualTo(ordinals.get(h.taskId(1)));

    h.marathon.putTask(h.task(4));
    h.marathon.emit(h.status(4, "TASK_RUNNING", 20));
    h.awaitRegistry(r -> r.containsKey(h.taskId(4)));
    assertThat(h.metric(b, "mdo_subscriber_leader_transitions_total", "to=\"leader\"")).isEqualTo(1.0);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get(b, "/health").code() == 200);
  }
}
