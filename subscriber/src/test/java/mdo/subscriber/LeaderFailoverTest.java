package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's fault campaign with subscriber processes: two of them for one environment, the leader SIGKILLed or
 * SIGSTOPped in the middle of a burst. The standby must lead within 5 s of the leader's death and the registry end
 * equal to Marathon's truth; a leader paused past its lease must write nothing when it resumes.
 */
class LeaderFailoverTest {
  private static final Duration TAKEOVER = Duration.ofSeconds(5);

  private final Harness h = new Harness(EtcdServer.shared().endpoint());
  private SubscriberProcess a;
  private SubscriberProcess b;

  @AfterEach
  void tearDown() throws Exception {
    if (a != null) a.close();
    if (b != null) b.close();
    h.close();
  }

  /** Starts a leader, lets it register the first tasks, then starts a standby. */
  private void startLeaderAndStandby() throws Exception {
    for (int n = 1; n <= 10; n++) h.marathon.putTask(h.task(n));
    a = SubscriberProcess.start(h.marathon.url(), h.etcdEndpoint, h.env);
    await().atMost(SubscriberProcess.START).until(() -> a.role().equals("leader"));
    Truth.awaitRegistryMatchesMarathon(h, SubscriberProcess.START);
    b = SubscriberProcess.start(h.marathon.url(), h.etcdEndpoint, h.env);
    await().atMost(SubscriberProcess.START).until(() -> b.role().equals("standby")
        && a.url().equals(b.health().path("leader").path("url").asText()));
  }

  @Test
  void theStandbyLeadsWithinFiveSecondsOfTheLeadersSigkillMidBurst() throws Exception {
    startLeaderAndStandby();
    long[] killed = new long[1];
    Burst.run(h, 11, 200, 100, () -> {
      a.kill();
      killed[0] = System.nanoTime();
    });
    await().atMost(TAKEOVER.plusSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> b.role().equals("leader"));
    Duration takeover = Duration.ofNanos(System.nanoTime() - killed[0]);
    System.out.printf("takeover: the standby led %d ms after the leader's SIGKILL%n", takeover.toMillis());
    assertThat(takeover).isLessThan(TAKEOVER);

    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(20)).until(() -> b.healthCode() == 200);
    assertThat(b.alive()).isTrue();
    assertThat(b.health().path("leader").path("url").asText()).isEqualTo(b.url());
    assertThat(b.output()).contains("elected: subscriber leader").contains("resynced");
  }

  @Test
  void aLeaderPausedPastItsLeaseWritesNothingWhenItResumes() throws Exception {
    startLeaderAndStandby();
    Burst.run(h, 11, 100, 50, a::pause); // SIGSTOP: events unread, writes queued, as in a long GC pause
    await().atMost(TAKEOVER.plusSeconds(5)).until(() -> b.role().equals("leader"));
    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(30));
    Map<String, Long> settled = h.revisions();

    a.resume(); // its threads go on where they stopped; its lease expired meanwhile
    await().atMost(Duration.ofSeconds(15)).until(() -> a.role().equals("standby"));
    assertThat(a.metric("mdo_subscriber_leader_transitions_total", "to=\"standby\"")).isEqualTo(1.0);
    assertThat(a.output()).contains("deposed: subscriber leader");
    a.output().lines().filter(l -> l.contains("deposed") || l.contains("refused") || l.contains("failed: writing"))
        .forEach(l -> System.out.println("resumed leader: " + l));
    assertThat(h.revisions()).as("nothing written since the standby settled the registry").isEqualTo(settled);
    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(5));
    await("it follows the new leader").atMost(Duration.ofSeconds(5))
        .until(() -> a.health().path("leader").path("url").asText(), b.url()::equals);

    Burst.run(h, 111, 30); // and the new leader alone keeps the registry
    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(30));
    assertThat(a.alive()).isTrue();
  }
}
