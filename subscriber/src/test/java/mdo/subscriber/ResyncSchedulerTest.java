package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterException;
import mdo.cluster.ClusterView;
import mdo.command.Failure;
import mdo.marathon.events.Backoff;
import mdo.registry.store.InMemoryRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one owner of when resyncs run, against a backend whose listing fails as the test says. */
class ResyncSchedulerTest {
  /** A backend that records when it was listed and fails (or throws) while told to. */
  static final class Backend implements ClusterView {
    final List<Instant> listed = new CopyOnWriteArrayList<>();
    volatile RuntimeException failure;

    @Override
    public String name() {
      return "Backend";
    }

    @Override
    public List<AppListing> list() {
      listed.add(Instant.now());
      RuntimeException f = failure;
      if (f != null) throw f;
      return List.of();
    }

    @Override
    public Optional<AppListing> app(String appId) {
      return Optional.empty();
    }
  }

  final Backend backend = new Backend();
  final RegistryWriter writer = new RegistryWriter("sched", new InMemoryRegistryStore(), backend, Duration.ofSeconds(1),
      null);
  final List<ResyncResult> results = new CopyOnWriteArrayList<>();
  final ResyncScheduler scheduler = new ResyncScheduler(writer, new SubscriberMetrics(), Duration.ofMinutes(10),
      new Backoff(Duration.ofMillis(400), Duration.ofMillis(800)), results::add);

  @AfterEach
  void close() {
    scheduler.close();
    writer.close();
  }

  @Test
  void triggersDuringABackoffFoldIntoTheRetryScheduledAndItRunsWhenItSaid() {
    backend.failure = new ClusterException(Failure.Kind.UNAVAILABLE, "no answer", null);
    scheduler.start();
    scheduler.request("start", false);
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
    Instant retryAt = scheduler.nextAt();
    assertThat(retryAt).isAfter(Instant.now()); // a backoff, not a loop
    // what used to start a resync each: the probe seeing etcd back, the stream reconnecting, an operator
    for (int i = 0; i < 50; i++) {
      scheduler.request("etcd back", false);
      scheduler.request("stream connected", false);
    }
    scheduler.request("POST /v1/resync", false);
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 2);
    assertThat(backend.listed).hasSize(2); // 101 requests, one run: the retry
    assertThat(backend.listed.get(1)).isAfterOrEqualTo(retryAt.minusMillis(5)); // not before the delay it logged
    assertThat(scheduler.failingSince()).isEqualTo(results.get(0).at());

    backend.failure = null;
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 3);
    assertThat(results.get(2).failure()).isNull();
    assertThat(scheduler.failingSince()).isNull();
    assertThat(scheduler.lastSuccess()).isEqualTo(results.get(2).at());
    // healthy again: a request runs at once, and the next periodic one is an interval away
    scheduler.request("SIGHUP", false);
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> scheduler.nextAt() != null);
    assertThat(scheduler.nextAt()).isAfter(Instant.now().plus(Duration.ofMinutes(9)));
  }

  @Test
  void aResyncThatThrowsIsAFailureAndTheSchedulerKeepsGoing() {
    backend.failure = new IllegalStateException("a bug in the backend view");
    scheduler.request("start", false);
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 1);
    assertThat(results.get(0).failed(ResyncResult.Cause.INTERNAL)).isTrue();
    assertThat(results.get(0).error()).contains("a bug in the backend view");
    backend.failure = null;
    await().atMost(Duration.ofSeconds(5)).until(() -> results.size() == 2); // the retry ran
    assertThat(results.get(1).failure()).isNull();
  }
}
