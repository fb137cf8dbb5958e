package mdo.registry.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterException;
import mdo.cluster.ClusterView;
import mdo.cluster.TaskObservation;
import mdo.cluster.TaskObservation.Health;
import mdo.command.Failure;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryKeys;
import mdo.registry.store.BadData;
import mdo.registry.store.InMemoryRegistryStore;
import mdo.registry.writer.RegistryWriter.Outcome;
import mdo.registry.writer.RegistryWriter.Received;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's rules, backend-neutral: observations from a scripted {@link ClusterView} into the in-memory store, no
 * etcd and no HTTP. (The same rules against Marathon's events and a real etcd: marathon's RegistryWriterTest.)
 */
class RegistryWriterRulesTest {
  static final String ENV = "rules";
  static final String APP = "/rules/db";

  /** A backend whose listing the test sets. */
  static class ScriptedView implements ClusterView {
    List<AppListing> apps = new ArrayList<>();

    @Override
    public String name() {
      return "Scripted";
    }

    @Override
    public List<AppListing> list() {
      return apps;
    }

    @Override
    public Optional<AppListing> app(String appId) {
      return apps.stream().filter(a -> a.appId().equals(appId)).findFirst();
    }
  }

  final ScriptedView view = new ScriptedView();
  final InMemoryRegistryStore store = new InMemoryRegistryStore();
  final List<Outcome> outcomes = new ArrayList<>();
  final Map<BadData.Kind, Integer> bad = new java.util.EnumMap<>(BadData.Kind.class);
  int clamped;
  final RegistryWriter.Observer observer = new RegistryWriter.Observer() {
    @Override
    public void eventApplied(String type, Outcome outcome, long receivedNanos) {
      outcomes.add(outcome);
    }

    @Override
    public void badData(BadData.Kind kind, int count) {
      bad.put(kind, count);
    }

    @Override
    public void clockAhead(int n) {
      clamped += n;
    }
  };
  final RegistryWriter writer = new RegistryWriter(ENV, store, view, Duration.ofSeconds(1), observer);

  @AfterEach
  void close() {
    writer.close();
  }

  static Instant at(int second) {
    return Instant.parse("2026-01-01T00:00:00Z").plusSeconds(second);
  }

  static TaskObservation.Task task(String id, String instance, long incarnation, String state, int port, Instant time) {
    return new TaskObservation.Task("db", APP, id, instance, incarnation, "10.0.0." + port % 250,
        Map.of("client", new PortMapping(port, 9042, "tcp")), Map.of("MDO_SERVICE", "db"), state, Health.NO_CHECKS,
        "TASK_KILLING".equals(state), "v1", "agent-1", null, time == null ? null : time.toString(), time);
  }

  static TaskObservation.Task running(String id, int port, int second) {
    return task(id, id, 0, "TASK_RUNNING", port, at(second));
  }

  boolean apply(TaskObservation... observations) {
    List<Received> batch = new ArrayList<>();
    for (TaskObservation o : observations) batch.add(new Received(o, "test_event", System.nanoTime()));
    return writer.apply(batch);
  }

  Map<String, InstanceRecord> records() {
    return store.records(ENV);
  }

  InstanceRecord record(String taskId) {
    return records().get(RegistryKeys.instance(ENV, "db", taskId));
  }

  void list(TaskObservation.Task... tasks) {
    view.apps = List.of(new AppListing(APP, "db", tasks.length, List.of(tasks)));
  }

  @Test
  void aDuplicateObservationWritesNothing() {
    apply(running("db.a", 31000, 1));
    int transactions = store.transactions();
    apply(running("db.a", 31000, 1));
    assertThat(store.transactions()).isEqualTo(transactions);
    assertThat(outcomes).containsExactly(Outcome.WRITTEN, Outcome.UNCHANGED);
    assertThat(record("db.a").ports()).containsEntry("client", new PortMapping(31000, 9042, "tcp"));
  }

  @Test
  void observationsArriveOutOfOrderWithoutRegressingARecord() {
    apply(running("db.a", 31000, 1), task("db.a", "db.a", 0, "TASK_FINISHED", 31000, at(3)));
    assertThat(record("db.a")).isNull();
    apply(running("db.a", 31000, 2)); // late: the task already ended, it must not come back
    assertThat(record("db.a")).isNull();
    assertThat(outcomes).endsWith(Outcome.STALE);

    apply(running("db.b", 31001, 5));
    apply(new TaskObservation.Instance("db", APP, "db.b", false, null, false, at(7)));
    apply(new TaskObservation.Instance("db", APP, "db.b", true, null, false, at(6))); // older than the record
    assertThat(record("db.b").healthy()).isFalse();
    assertThat(outcomes).endsWith(Outcome.STALE);
  }

  @Test
  void aBatchIsAppliedOldestFirstWhateverItsOrder() {
    apply(task("db.a", "db.a", 0, "TASK_KILLED", 31000, at(4)), running("db.a", 31000, 1));
    assertThat(records()).isEmpty();
  }

  @Test
  void ordinalsAreDenseAndAFreedOneIsReused() {
    apply(running("db.a", 31000, 1), running("db.b", 31001, 1), running("db.c", 31002, 1));
    assertThat(record("db.a").ordinal()).isZero();
    assertThat(record("db.b").ordinal()).isEqualTo(1);
    assertThat(record("db.c").ordinal()).isEqualTo(2);

    apply(task("db.b", "db.b", 0, "TASK_FAILED", 31001, at(2)));
    apply(running("db.d", 31003, 3));
    assertThat(record("db.d").ordinal()).isEqualTo(1);
  }

  @Test
  void aRelaunchedInstanceTakesOverItsPreviousIncarnationsOrdinal() {
    apply(task("db.i1.1", "db.i1", 1, "TASK_RUNNING", 31000, at(1)),
        task("db.i2.1", "db.i2", 1, "TASK_RUNNING", 31001, at(1)));
    apply(task("db.i2.2", "db.i2", 2, "TASK_RUNNING", 31005, at(2)));
    assertThat(record("db.i2.1")).isNull();
    assertThat(record("db.i2.2").ordinal()).isEqualTo(1);
  }

  @Test
  void aChangeToAnInstanceNotRegisteredYetAsksForARefresh() {
    assertThat(apply(new TaskObservation.Instance("db", APP, "db.x", null, true, false, at(1)))).isTrue();
    assertThat(records()).isEmpty();
  }

  @Test
  void resyncWritesOnlyTheDifferenceAndNothingWhenNothingChanged() {
    list(running("db.a", 31000, 0), running("db.b", 31001, 0));
    ResyncResult first = writer.resync(false);
    assertThat(first.created()).isEqualTo(2);
    int transactions = store.transactions();
    ResyncResult second = writer.resync(false);
    assertThat(second.writes()).isZero();
    assertThat(store.transactions()).isEqualTo(transactions);
  }

  @Test
  void aListedAppIsReconciledAgainstItsListedTasksWhateverTheFraction() {
    // scaled from 4 to 1 while the writer was not running: the backend lists the app and its one task explicitly
    list(running("db.a", 31000, 0), running("db.b", 31001, 0), running("db.c", 31002, 0), running("db.d", 31003, 0));
    writer.resync(false);
    list(running("db.a", 31000, 0));
    ResyncResult r = writer.resync(false);
    assertThat(r.deleted()).isEqualTo(3);
    assertThat(r.ok()).isTrue();
    assertThat(records()).containsOnlyKeys(RegistryKeys.instance(ENV, "db", "db.a"));

    list(); // scaled to zero: still listed, so its last record goes too
    assertThat(writer.resync(false).deleted()).isEqualTo(1);
    assertThat(records()).isEmpty();
  }

  @Test
  void recordsOfAnAppMissingFromTheListingGoOnlyOnceTheBackendConfirmsItIsGone() {
    list(running("db.a", 31000, 0), running("db.b", 31001, 0));
    writer.resync(false);
    LyingView lying = new LyingView(view.apps); // lists nothing, but answers the app when asked for it alone
    try (RegistryWriter other = new RegistryWriter(ENV, store, lying, Duration.ofSeconds(1), null)) {
      ResyncResult kept = other.resync(false);
      assertThat(kept.deleted()).isZero();
      assertThat(kept.ok()).isFalse();
      assertThat(kept.refused()).singleElement().satisfies(refusal -> {
        assertThat(refusal.appId()).isEqualTo(APP);
        assertThat(refusal.records()).isEqualTo(2);
        assertThat(refusal.reason()).contains("left it out of the full listing").contains("kept");
      });
      assertThat(records()).hasSize(2);

      lying.gone = true; // now 404 when asked alone too: the app really is gone
      ResyncResult gone = other.resync(false);
      assertThat(gone.deleted()).isEqualTo(2);
      assertThat(gone.ok()).isTrue();
      assertThat(records()).isEmpty();
      assertThat(lying.asked).containsOnly(APP);
    }
  }

  @Test
  void anUnconfirmedAppKeepsItsRecordsAndSaysWhyUntilAForcedResync() {
    list(running("db.a", 31000, 0));
    writer.resync(false);
    LyingView failing = new LyingView(List.of());
    failing.fail = true;
    try (RegistryWriter other = new RegistryWriter(ENV, store, failing, Duration.ofSeconds(1), null)) {
      ResyncResult kept = other.resync(false);
      assertThat(kept.refusedDeletes()).isEqualTo(1);
      assertThat(kept.refused().get(0).reason()).contains("could not be confirmed gone: no answer");
      assertThat(kept.summary()).contains("KEPT 1 records of " + APP);
      assertThat(records()).hasSize(1);

      ResyncResult forced = other.resync(true);
      assertThat(forced.deleted()).isEqualTo(1);
      assertThat(records()).isEmpty();
    }
  }

  /** Lists only {@code listed}; asked for one app, answers it from {@code known} (or 404 once gone, or fails). */
  static final class LyingView extends ScriptedView {
    final List<AppListing> known;
    final List<String> asked = new ArrayList<>();
    boolean gone;
    boolean fail;

    LyingView(List<AppListing> known) {
      this.known = List.copyOf(known);
      this.apps = List.of();
    }

    @Override
    public Optional<AppListing> app(String appId) {
      asked.add(appId);
      if (fail) throw new ClusterException(Failure.Kind.UNAVAILABLE, "no answer", null);
      return gone ? Optional.empty() : known.stream().filter(a -> a.appId().equals(appId)).findFirst();
    }
  }

  @Test
  void aResyncReplacesWhatIsNotARecordAndReusesTheOrdinalsOfWhatEnded() {
    store.putRaw(RegistryKeys.instance(ENV, "db", "db.junk"), "{not json");
    list(running("db.a", 31000, 0));
    ResyncResult r = writer.resync(false);
    assertThat(r.deleted()).isEqualTo(1);
    assertThat(records()).containsOnlyKeys(RegistryKeys.instance(ENV, "db", "db.a"));
    assertThat(record("db.a").ordinal()).isZero();
  }

  @Test
  void aStoreOutageIsRememberedUntilAResyncSucceeds() {
    store.down(true);
    apply(running("db.a", 31000, 1));
    assertThat(outcomes).containsExactly(Outcome.FAILED);
    assertThat(writer.needsResync()).isTrue();
    assertThat(writer.resync(false).failed(ResyncResult.Cause.REGISTRY)).isTrue();

    store.down(false);
    list(running("db.a", 31000, 1));
    assertThat(writer.resync(false).failure()).isNull();
    assertThat(writer.needsResync()).isFalse();
    assertThat(record("db.a")).isNotNull();
  }

  @Test
  void aBackendThatCannotBeListedChangesNothing() {
    apply(running("db.a", 31000, 1));
    ClusterView failing = new ScriptedView() {
      @Override
      public List<AppListing> list() {
        throw new ClusterException(Failure.Kind.UNAVAILABLE, "no answer", null);
      }
    };
    try (RegistryWriter other = new RegistryWriter(ENV, store, failing, Duration.ofSeconds(1), null)) {
      ResyncResult r = other.resync(true);
      assertThat(r.failed(ResyncResult.Cause.CLUSTER)).isTrue();
      assertThat(r.error()).isEqualTo("Scripted: no answer");
    }
    assertThat(records()).hasSize(1);
  }

  // ---- bad data never stops the writer

  @Test
  void badKeysOrdinalsAndJsonAreSkippedCountedAndHealedWithoutStoppingAResync() {
    String badKey = "/mdo/" + ENV + "/services/db/instances/a b";
    store.putRaw(badKey, "{}");
    store.putRaw("/mdo/" + ENV + "/services/bad service/instances/x", "{}");
    InstanceRecord negative = recordWithOrdinal("db.neg", 0);
    store.putRaw(RegistryKeys.instance(ENV, "db", "db.neg"),
        new String(mdo.registry.RegistryJson.write(negative)).replace("\"ordinal\":0", "\"ordinal\":-1"));
    store.putRaw(RegistryKeys.instance(ENV, "db", "db.huge"),
        new String(mdo.registry.RegistryJson.write(recordWithOrdinal("db.huge", 0))).replace("\"ordinal\":0",
            "\"ordinal\":2000000000"));
    store.putRaw(RegistryKeys.instance(ENV, "db", "db.junk"), "{not json");
    list(running("db.neg", 31000, 0), running("db.a", 31001, 0));

    ResyncResult r = writer.resync(false);

    assertThat(r.failure()).isNull();
    assertThat(r.bad()).extracting(BadData::kind, BadData::count).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(BadData.Kind.KEY, 2), org.assertj.core.groups.Tuple.tuple(BadData.Kind.ORDINAL, 2),
        org.assertj.core.groups.Tuple.tuple(BadData.Kind.JSON, 1));
    assertThat(bad).containsEntry(BadData.Kind.KEY, 2).containsEntry(BadData.Kind.ORDINAL, 2)
        .containsEntry(BadData.Kind.JSON, 1);
    // the listed task's bad record is replaced with a good ordinal, the unlisted bad values go, bad keys stay untouched
    assertThat(record("db.neg").ordinal()).isBetween(0, 1);
    assertThat(record("db.a").ordinal()).isBetween(0, 1);
    assertThat(records()).containsOnlyKeys(RegistryKeys.instance(ENV, "db", "db.neg"),
        RegistryKeys.instance(ENV, "db", "db.a"));
    ResyncResult again = writer.resync(false);
    assertThat(again.writes()).isZero();
    assertThat(bad).containsEntry(BadData.Kind.ORDINAL, 0).containsEntry(BadData.Kind.JSON, 0)
        .containsEntry(BadData.Kind.KEY, 2);
  }

  @Test
  void aTaskIdThatCannotBeAKeyIsSkippedAndCountedNotFatal() {
    assertThat(apply(running("db.a", 31000, 1), task("bad id", "bad id", 0, "TASK_RUNNING", 31001, at(1)))).isFalse();
    assertThat(outcomes).containsExactlyInAnyOrder(Outcome.WRITTEN, Outcome.MALFORMED);
    list(running("db.a", 31000, 1), task("bad/id", "bad/id", 0, "TASK_RUNNING", 31001, at(1)));
    ResyncResult r = writer.resync(false);
    assertThat(r.failure()).isNull();
    assertThat(r.bad()).extracting(BadData::kind).containsExactly(BadData.Kind.KEY);
    assertThat(records()).containsOnlyKeys(RegistryKeys.instance(ENV, "db", "db.a"));
  }

  static InstanceRecord recordWithOrdinal(String taskId, int ordinal) {
    return new InstanceRecord("db", taskId, taskId, ordinal, "10.0.0.1", Map.of(), Map.of(), "TASK_RUNNING", null,
        false, APP, "v1", "agent-1", null, "2026-01-01T00:00:00.000Z");
  }

  // ---- clock sanity

  @Test
  void anEventFromAClockRunningAheadIsClampedAndDoesNotMakeLaterEventsStale() {
    Instant now = Instant.now();
    apply(task("db.a", "db.a", 0, "TASK_RUNNING", 31000, now.plus(Duration.ofHours(2))));
    assertThat(clamped).isEqualTo(1);
    assertThat(Instant.parse(record("db.a").eventTimestamp())).isBefore(now.plusSeconds(60));
    // a later real event (the clock was fixed) still counts
    apply(task("db.a", "db.a", 0, "TASK_KILLING", 31000, Instant.now().plusSeconds(1)));
    assertThat(record("db.a").draining()).isTrue();
  }

  @Test
  void aRecordDatedInTheFutureIsNeitherSkippedByResyncNorShieldedFromEvents() {
    InstanceRecord future = new InstanceRecord("db", "db.a", "db.a", 0, "10.0.0.1", Map.of(), Map.of(), "TASK_RUNNING",
        null, false, APP, "v1", "agent-1", null, Records.format(Instant.now().plus(Duration.ofDays(1))));
    store.put(RegistryKeys.instance(ENV, "db", "db.a"), future);
    list(); // the task is gone
    writer.observed(Instant.now());
    assertThat(writer.resync(false).deleted()).isEqualTo(1);

    store.put(RegistryKeys.instance(ENV, "db", "db.b"), new InstanceRecord("db", "db.b", "db.b", 0, "10.0.0.2",
        Map.of(), Map.of(), "TASK_RUNNING", null, false, APP, "v1", "agent-1", null,
        Records.format(Instant.now().plus(Duration.ofDays(1)))));
    list(task("db.b", "db.b", 0, "TASK_RUNNING", 31000, null));
    writer.resync(false);
    apply(task("db.b", "db.b", 0, "TASK_FAILED", 31000, Instant.now()));
    assertThat(record("db.b")).isNull();
  }

  // ---- ordinal claims

  Map<String, String> claims() {
    return store.claims(ENV);
  }

  static String claim(int ordinal) {
    return RegistryKeys.ordinal(ENV, "db", ordinal);
  }

  @Test
  void everyRecordClaimsItsOrdinalInItsOwnTransactionAndADeleteReleasesIt() {
    apply(running("db.a", 31000, 1), running("db.b", 31001, 1));
    assertThat(claims()).containsOnly(Map.entry(claim(0), "db.a"), Map.entry(claim(1), "db.b"));
    apply(task("db.a", "db.a", 0, "TASK_FAILED", 31000, at(2)));
    assertThat(claims()).containsOnly(Map.entry(claim(1), "db.b"));
    // a replacement takes over the freed ordinal and its claim
    apply(task("db.b", "db.b", 0, "TASK_FAILED", 31001, at(3)), running("db.c", 31002, 3));
    assertThat(record("db.c").ordinal()).isZero();
    assertThat(claims()).containsOnly(Map.entry(claim(0), "db.c"));
    // a relaunch takes over its previous incarnation's claim in the same transaction as the swap
    apply(task("db.c.2", "db.c", 2, "TASK_RUNNING", 31003, at(4)));
    assertThat(record("db.c")).isNull();
    assertThat(record("db.c.2").ordinal()).isZero();
    assertThat(claims()).containsOnly(Map.entry(claim(0), "db.c.2"));
  }

  @Test
  void twoWritersNeverHandOutTheSameOrdinal() {
    list(running("db.a", 31000, 1), running("db.b", 31001, 1));
    try (RegistryWriter other = new RegistryWriter(ENV, store, view, Duration.ofSeconds(1), null)) {
      other.resync(false); // both writers start from the same (empty) registry
      writer.resync(false);
      // each hears of a different new task and, from what it knows, picks the lowest free ordinal: 2
      boolean refreshA = apply(running("db.c", 31002, 2));
      boolean refreshB = other.apply(List.of(new Received(running("db.d", 31003, 2), "test_event", System.nanoTime())));
      assertThat(refreshA).isFalse();
      assertThat(refreshB).as("the second claim of ordinal 2 loses its compare").isTrue();
      assertThat(record("db.d")).isNull();
      list(running("db.a", 31000, 1), running("db.b", 31001, 1), running("db.c", 31002, 2), running("db.d", 31003, 2));
      other.refreshApp(APP);
    }
    // distinct ordinals, each claimed by its record (the loser may leave a gap: it took the next free one it knew of)
    assertThat(records()).hasSize(4);
    assertThat(records().values()).extracting(InstanceRecord::ordinal).doesNotHaveDuplicates();
    for (InstanceRecord r : records().values()) assertThat(claims()).containsEntry(claim(r.ordinal()), r.taskId());
    assertThat(claims()).hasSize(4).containsEntry(claim(2), "db.c");
  }

  @Test
  void resyncRepairsClaimsThatDoNotMatchTheRecords() {
    // records written before ordinals were claimed, a claim left by a crash, a claim of the wrong task
    store.put(RegistryKeys.instance(ENV, "db", "db.a"), recordWithOrdinal("db.a", 0));
    store.put(RegistryKeys.instance(ENV, "db", "db.b"), recordWithOrdinal("db.b", 1));
    store.putRaw(claim(1), "db.gone");
    store.putRaw(claim(7), "db.crashed");
    list(running("db.a", 31000, 0), running("db.b", 31001, 0));
    ResyncResult r = writer.resync(false);
    assertThat(r.claims()).isEqualTo(3);
    assertThat(claims()).containsOnly(Map.entry(claim(0), "db.a"), Map.entry(claim(1), "db.b"));
    assertThat(writer.resync(false).writes()).isZero();
  }

  @Test
  void twoRecordsSharingAnOrdinalFromBeforeClaimsStayAndOneClaimIsWritten() {
    store.put(RegistryKeys.instance(ENV, "db", "db.a"), recordWithOrdinal("db.a", 0));
    store.put(RegistryKeys.instance(ENV, "db", "db.b"), recordWithOrdinal("db.b", 0));
    list(running("db.a", 31000, 0), running("db.b", 31001, 0));
    ResyncResult r = writer.resync(false);
    assertThat(r.claims()).isEqualTo(1);
    assertThat(records()).hasSize(2);
    assertThat(claims()).containsOnlyKeys(claim(0));
    assertThat(writer.resync(false).writes()).isZero();
    // when one of them ends, the ordinal is the other's alone
    String holder = claims().get(claim(0));
    String other = holder.equals("db.a") ? "db.b" : "db.a";
    list(running(other, 31000, 0));
    writer.resync(false);
    assertThat(records()).containsOnlyKeys(RegistryKeys.instance(ENV, "db", other));
    assertThat(claims()).containsOnly(Map.entry(claim(0), other));
  }

  @Test
  void aLargeResyncSplitsItsWritesIntoTransactionsEtcdAccepts() {
    List<TaskObservation.Task> tasks = new ArrayList<>();
    for (int i = 0; i < 500; i++) tasks.add(running("db.t" + i, 31000 + i, 0));
    list(tasks.toArray(TaskObservation.Task[]::new));
    ResyncResult r = writer.resync(false);
    assertThat(r.failure()).isNull();
    assertThat(r.created()).isEqualTo(500);
    assertThat(records()).hasSize(500);
    assertThat(claims()).hasSize(500);
    assertThat(records().values()).extracting(InstanceRecord::ordinal).doesNotHaveDuplicates();
  }
}
