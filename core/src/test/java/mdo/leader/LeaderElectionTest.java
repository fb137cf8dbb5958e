package mdo.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryKeys;
import mdo.registry.store.Change;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.store.Fence;
import mdo.registry.store.FencedException;
import mdo.registry.store.EtcdException;
import mdo.registry.store.GroupCommit;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Leader election on a real etcd: one leader, takeover after death or resignation, and fenced writes. */
class LeaderElectionTest {
  private static final AtomicInteger ENVS = new AtomicInteger();

  private final String env = "le" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  private final List<AutoCloseable> cleanup = new ArrayList<>();

  /** One candidate's view of its transitions, in order. */
  record Event(String what, Term term, String reason) {}

  final class Candidate implements LeaderElection.Listener {
    final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    final Client client;
    final LeaderElection election;
    Term term;

    Candidate(String endpoint, String name, ElectionTiming timing) {
      client = Etcd.client(EtcdSettings.of(endpoint));
      election = new LeaderElection(client, env, "subscriber", name, "http://" + name + ":5000", timing, this);
      cleanup.add(0, client);
      cleanup.add(0, election);
    }

    @Override
    public void elected(Term term) {
      events.add(new Event("elected", term, null));
    }

    @Override
    public void deposed(Term term, String reason) {
      events.add(new Event("deposed", term, reason));
    }

    Event next(Duration within) throws InterruptedException {
      Event e = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(e).as("a transition of " + election.id() + " within " + within).isNotNull();
      return e;
    }
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : cleanup) c.close();
  }

  private Candidate candidate(String name) {
    return candidate(EtcdServer.shared().endpoint(), name, ElectionTiming.defaults());
  }

  private Candidate candidate(String endpoint, String name, ElectionTiming timing) {
    return new Candidate(endpoint, name, timing);
  }

  /** A candidate that campaigned and won; its first event, the election, is consumed. */
  private Candidate leading(Candidate c) throws InterruptedException {
    c.election.start();
    Event first = c.next(Duration.ofSeconds(10));
    assertThat(first.what()).isEqualTo("elected");
    c.term = first.term();
    return c;
  }

  /** A candidate that campaigned while {@code leader} leads, and sees it lead. */
  private Candidate standingBy(String name, Candidate leader) {
    Candidate c = candidate(name);
    c.election.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> c.election.leader().map(Leader::id).orElse(""),
        leader.election.id()::equals);
    return c;
  }

  @Test
  void oneOfThreeCandidatesLeadsAndTheOthersSeeIt() throws Exception {
    Candidate a = candidate("a");
    Candidate b = candidate("b");
    Candidate c = candidate("c");
    a.election.start();
    b.election.start();
    c.election.start();
    await().atMost(Duration.ofSeconds(10)).until(() ->
        List.of(a, b, c).stream().filter(x -> x.election.leading()).count() == 1);
    Candidate leader = List.of(a, b, c).stream().filter(x -> x.election.leading()).findFirst().orElseThrow();
    Leader published = leader.election.term().leader();
    assertThat(published.url()).isEqualTo("http://" + leader.election.id() + ":5000");
    assertThat(published.since()).isNotNull();
    for (Candidate x : List.of(a, b, c)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> x.election.leader().orElse(null), published::equals);
    }
    assertThat(leader.election.term().key()).isEqualTo("/mdo/" + env + "/leaders/subscriber");
  }

  @Test
  void aStandbyLeadsWithinFiveSecondsOfTheLeadersDeath() throws Exception {
    Candidate a = leading(candidate("a"));
    Candidate b = standingBy("b", a);

    long died = System.nanoTime();
    a.client.close(); // no renewal and no resignation from now on: as after SIGKILL
    assertThat(b.next(Duration.ofSeconds(5)).what()).isEqualTo("elected");
    Duration takeover = Duration.ofNanos(System.nanoTime() - died);
    System.out.printf("takeover after the leader's death: %d ms (lease ttl %d s)%n", takeover.toMillis(),
        ElectionTiming.defaults().ttl().toSeconds());
    assertThat(takeover).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aResigningLeaderHandsOverAtTheStandbysNextRead() throws Exception {
    Candidate a = leading(candidate("a"));
    Candidate b = standingBy("b", a);

    long resigned = System.nanoTime();
    a.election.close();
    assertThat(b.next(Duration.ofSeconds(3)).what()).isEqualTo("elected");
    assertThat(Duration.ofNanos(System.nanoTime() - resigned))
        .as("a resignation frees the key at once, not after the lease's ttl").isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void etcdRefusesTheFencedWritesOfATermThatEnded() throws Exception {
    Candidate a = leading(candidate("a"));
    Term term = a.term;
    // A former leader that still believes it leads (paused past its lease, or cut off): its guard stays the old one.
    List<Fence.Guard> breached = new ArrayList<>();
    Fence believer = new Fence() {
      @Override
      public Guard guard() {
        return term.guard();
      }

      @Override
      public void breached(Guard guard) {
        breached.add(guard);
      }
    };
    try (EtcdRegistryStore store = new EtcdRegistryStore(a.client.getKVClient(), Duration.ofSeconds(5), believer)) {
      assertThat(store.transact(List.of(put("web.1"))).get(5, TimeUnit.SECONDS).succeeded())
          .as("while the term holds").isTrue();

      a.client.getLeaseClient().revoke(term.lease()).get(5, TimeUnit.SECONDS); // the lease is gone: so is the key
      assertThatThrownBy(() -> store.transact(List.of(put("web.2"))).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(FencedException.class).hasMessageContaining("leadership lost");
      assertThat(breached).containsExactly(term.guard());

      leading(candidate("b")); // a new leader: the key exists again, with another create revision
      assertThatThrownBy(() -> store.transact(List.of(put("web.3"))).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(FencedException.class);
      assertThat(store.read(env, key("web.2"))).isNull();
      assertThat(store.read(env, key("web.3"))).isNull();
      assertThat(store.read(env, key("web.1"))).as("written while the term held").isNotNull();
    }
    Event deposed = a.next(Duration.ofSeconds(5));
    assertThat(deposed.what()).isEqualTo("deposed");
    assertThat(deposed.reason()).containsAnyOf("expired", "deleted", "replaced");
  }

  @Test
  void aBreachClosesTheFenceAtOnceAndDeposes() throws Exception {
    Candidate a = leading(candidate("a"));
    Term term = a.term;
    try (EtcdRegistryStore store = new EtcdRegistryStore(a.client.getKVClient(), Duration.ofSeconds(5), a.election)) {
      a.client.getKVClient().delete(Etcd.bytes(term.key())).get(5, TimeUnit.SECONDS); // an operator deletes the key
      GroupCommit commits = new GroupCommit(store, Duration.ofSeconds(5));
      cleanup.add(0, commits);
      assertThatThrownBy(() -> commits.commit(List.of(put("web.1")))).isInstanceOf(EtcdException.class);
      // refused by etcd (the renewal, a second away, may see the deletion first: then the store refuses at once)
      assertThat(a.election.guard()).as("the fence closed before the write returned").isNull();
      assertThat(store.read(env, key("web.1"))).isNull();
    }
    Event deposed = a.next(Duration.ofSeconds(5));
    assertThat(deposed.what()).isEqualTo("deposed");
    assertThat(deposed.term()).isEqualTo(term);
  }

  @Test
  void aLeaderCutOffFromEtcdStepsDownBeforeItsLeaseCouldExpireAndResumesItsTermWhenEtcdReturns() throws Exception {
    EtcdServer etcd = EtcdServer.start();
    cleanup.add(etcd);
    Candidate a = leading(candidate(etcd.endpoint(), "a", ElectionTiming.defaults()));
    Term term = a.term;

    long cut = System.nanoTime();
    etcd.stop();
    Event deposed = a.next(Duration.ofSeconds(10));
    assertThat(deposed.what()).isEqualTo("deposed");
    assertThat(deposed.reason()).contains("not renewed");
    assertThat(Duration.ofNanos(System.nanoTime() - cut)).as("steps down before etcd could expire the lease")
        .isLessThan(ElectionTiming.defaults().ttl());
    assertThat(a.election.guard()).isNull();

    etcd.restart(); // a restarted etcd extends every lease: the key and the lease are still this process's
    Event resumed = a.next(Duration.ofSeconds(15));
    assertThat(resumed.what()).isEqualTo("elected");
    assertThat(resumed.term().revision()).as("the same term").isEqualTo(term.revision());
  }

  @Test
  void refusesRolesThatAreNotKeySegments() {
    assertThatThrownBy(() -> LeaderElection.key(env, "../x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ElectionTiming(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(100)))
        .hasMessageContaining("under half the ttl");
  }

  private String key(String task) {
    return RegistryKeys.instance(env, "web", task);
  }

  private Change put(String task) {
    InstanceRecord r = new InstanceRecord("web", task, null, 0, "10.0.0.1", Map.of("http", new PortMapping(31000, 80,
        "tcp")), Map.of(), "TASK_RUNNING", null, false, "/web", "v1", "agent", "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00Z");
    return new Change.Put(key(task), "web", r, 0, null);
  }
}
