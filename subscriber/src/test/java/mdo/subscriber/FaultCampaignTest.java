package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import mdo.testkit.EtcdCluster;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's fault campaign against a subscriber in this JVM, with real etcd processes and a Marathon simulation: each
 * fault hits in the middle of a burst, and each test ends with the registry equal to what Marathon runs
 * ({@link Truth}) and the subscriber up, leading and healthy. The subscriber processes' faults (SIGKILL, SIGSTOP) are
 * in {@link LeaderFailoverTest}, garbage input in {@link FuzzedEventsTest}.
 */
class FaultCampaignTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  private final List<AutoCloseable> cleanup = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : cleanup) c.close();
  }

  private <T extends AutoCloseable> T closing(T c) {
    cleanup.add(0, c);
    return c;
  }

  private Harness started(String etcdEndpoints, int tasks) {
    Harness h = closing(new Harness(etcdEndpoints));
    for (int n = 1; n <= tasks; n++) h.marathon.putTask(h.task(n));
    h.start();
    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    return h;
  }

  /** What /health says of the last resync, to the admin (the error text names endpoints). */
  private static String lastResync(Harness h) {
    return h.get("/health", Harness.TOKEN).json().path("resync").path("result").asText();
  }

  private static void awaitLeadingAndHealthy(Harness h) {
    await().atMost(CONVERGE).until(() -> h.get("/health").json().path("role").asText(), "leader"::equals);
    await().atMost(CONVERGE).until(() -> h.get("/health").code() == 200);
  }

  @Test
  void etcdKilledMidBurstAndRestartedMidBurst() throws Exception {
    EtcdServer etcd = closing(EtcdServer.start());
    Harness h = started(etcd.endpoint(), 10);

    Burst.run(h, 11, 100, 50, etcd::stop); // SIGKILL: writes of the second half fail
    Burst.run(h, 111, 100, 50, etcd::restart);

    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    awaitLeadingAndHealthy(h);
  }

  @Test
  void aThreeMemberEtcdClusterLosesAFollowerAndThenItsLeader() throws Exception {
    EtcdCluster cluster = closing(EtcdCluster.start(3));
    Harness h = started(cluster.endpoints(), 10);
    int leader = cluster.leader();
    assertThat(leader).as("the cluster has a leader").isNotNegative();
    int follower = (leader + 1) % 3;

    Burst.run(h, 11, 100, 50, () -> cluster.stop(follower));
    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    cluster.restart(follower);

    Burst.run(h, 111, 100, 50, () -> cluster.stop(leader)); // the two left elect a new leader
    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    await().atMost(CONVERGE).until(() -> cluster.leader() >= 0 && cluster.leader() != leader);
    awaitLeadingAndHealthy(h);
  }

  @Test
  void theEventStreamDropsInTheMiddleOfAnEvent() throws Exception {
    Harness h = started(EtcdServer.shared().endpoint(), 5);
    h.marathon.awaitStreams(1, Duration.ofSeconds(10));

    h.marathon.putTask(h.task(6));
    String event = "event: status_update_event\r\ndata: " + h.status(6, "TASK_RUNNING", 6) + "\r\n\r\n";
    h.marathon.emitRaw(event.substring(0, event.length() / 2)); // half an event, then the connection ends
    h.marathon.dropStreams();

    Truth.awaitRegistryMatchesMarathon(h, CONVERGE); // the reconnect's resync registers task 6
    await().atMost(CONVERGE).until(() -> h.metric("mdo_subscriber_stream_reconnects_total") >= 1);
    assertThat(h.metric("mdo_subscriber_events_total", "outcome=\"malformed\""))
        .as("half an event is never handed on").isZero();
    h.marathon.awaitStreams(1, Duration.ofSeconds(10));
    Burst.run(h, 7, 30);
    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    awaitLeadingAndHealthy(h);
  }

  @Test
  void marathonAnswers503AndThenTimesOutOnListingsWithoutTheRegistryLosingAnything() throws Exception {
    Harness h = started(EtcdServer.shared().endpoint(), 5);

    h.marathon.failListings(503);
    h.marathon.removeTask(h.taskId(1)); // ended without an event: only a resync can tell
    Burst.run(h, 6, 30); // events still apply: they need app definitions, not listings
    assertThat(h.post("/v1/resync", "", Harness.TOKEN).code()).isEqualTo(202);
    await().atMost(CONVERGE).until(() -> lastResync(h).contains("503"));
    assertThat(h.registry()).as("a resync that cannot list writes nothing").containsKey(h.taskId(1));

    long failures = (long) h.metric("mdo_subscriber_resyncs_total", "result=\"failed\"");
    h.marathon.failListings(0);
    h.marathon.delayListings(Harness.MARATHON_TIMEOUT.multipliedBy(2)); // longer than the subscriber waits
    await().atMost(CONVERGE).until(() -> h.metric("mdo_subscriber_resyncs_total", "result=\"failed\"") > failures
        && lastResync(h).toLowerCase(java.util.Locale.ROOT).matches(".*time(d )?out.*"));
    assertThat(h.registry()).containsKey(h.taskId(1));

    h.marathon.delayListings(Duration.ZERO); // the scheduler's retry succeeds
    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    assertThat(h.registry()).doesNotContainKey(h.taskId(1));
    awaitLeadingAndHealthy(h);
  }

  @Test
  void duplicateAndReorderedEventsConvergeWithoutAFullResync() throws Exception {
    Harness h = started(EtcdServer.shared().endpoint(), 0);
    h.marathon.awaitStreams(1, Duration.ofSeconds(10));
    double resyncs = h.metric("mdo_subscriber_resyncs_total");
    List<String> events = new ArrayList<>();
    for (int n = 1; n <= 60; n++) {
      h.marathon.putTask(h.task(n));
      events.add(h.status(n, "TASK_RUNNING", n));
    }
    for (int n = 1; n <= 60; n += 3) {
      h.marathon.removeTask(h.taskId(n));
      events.add(h.status(n, "TASK_KILLED", 100 + n));
    }
    Random random = new Random(10); // seeded: the same order every run
    for (int i = 0; i < 40; i++) events.add(events.get(random.nextInt(events.size())));
    Collections.shuffle(events, random);
    events.forEach(h.marathon::emit);

    Truth.awaitRegistryMatchesMarathon(h, CONVERGE);
    assertThat(h.metric("mdo_subscriber_resyncs_total")).as("events alone did it").isEqualTo(resyncs);
  }
}
