package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterView;
import mdo.config.MarathonSettings;
import mdo.marathon.MarathonClient;
import mdo.registry.store.InMemoryRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.testkit.MarathonSimulation;
import org.junit.jupiter.api.Test;

class HealthProbeTest {
  @Test
  void aProbeThatThrowsIsCountedAndTheNextOneStillRuns() throws Exception {
    ClusterView none = new ClusterView() {
      @Override
      public String name() {
        return "none";
      }

      @Override
      public List<AppListing> list() {
        return List.of();
      }

      @Override
      public Optional<AppListing> app(String appId) {
        return Optional.empty();
      }
    };
    AtomicInteger runs = new AtomicInteger();
    SubscriberMetrics metrics = new SubscriberMetrics();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try (MarathonSimulation marathon = new MarathonSimulation().start();
        RegistryWriter writer = new RegistryWriter("probe", new InMemoryRegistryStore(), none, Duration.ofSeconds(1),
            null)) {
      HealthProbe probe = new HealthProbe(writer, new MarathonClient(MarathonSettings.of(marathon.url())),
          (reason, force) -> {}, () -> {
            runs.incrementAndGet();
            throw new IllegalStateException("the callback subscription broke");
          }, new Reachability("etcd"), metrics);
      probe.start(scheduler, 20);
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
      assertThat(metrics.registry.find("mdo_subscriber_internal_errors").tag("where", "probe").counter().count())
          .isGreaterThanOrEqualTo(2);
    } finally {
      scheduler.shutdownNow();
    }
  }
}
