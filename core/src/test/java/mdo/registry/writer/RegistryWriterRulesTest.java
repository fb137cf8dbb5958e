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
  final RegistryWriter writer = new RegistryWriter(ENV, store, view, 0.5, Duration.ofSeconds(1),
      new RegistryWriter.Observer() {
        @Override
        public void eventApplied(String type, Outcome outcome, long receivedNanos) {
          outcomes.add(outcome);
        }
      });

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
  void aResyncThatWouldDeleteMostRecordsRefusesUnlessForced() {
    list(running("db.a", 31000, 0), running("db.b", 31001, 0), running("db.c", 31002, 0), running("db.d", 31003, 0));
    writer.resync(false);
    list(running("db.a", 31000, 0));
    ResyncResult refused = writer.resync(false);
    assertThat(refused.refusedDeletes()).isEqualTo(3);
    assertThat(refused.ok()).isFalse();
    assertThat(records()).hasSize(4);

    ResyncResult forced = writer.resync(true);
    assertThat(forced.deleted()).isEqualTo(3);
    assertThat(records()).hasSize(1);
  }

  @Test
  void aResyncReplacesWhatIsNotARecordAndReusesTheOrdinalsOfWhatEnded() {
    store.putRaw(RegistryKeys.instance(ENV, "db", "db.junk"), "{not json");
    list(running("db.a", 31000, 0));
    ResyncResult r = writer.resync(true);
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
    try (RegistryWriter other = new RegistryWriter(ENV, store, failing, 0.5, Duration.ofSeconds(1), null)) {
      ResyncResult r = other.resync(true);
      assertThat(r.failed(ResyncResult.Cause.CLUSTER)).isTrue();
      assertThat(r.error()).isEqualTo("Scripted: no answer");
    }
    assertThat(records()).hasSize(1);
  }
}
