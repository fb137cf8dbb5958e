package mdo.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.testkit.EtcdServer;
import mdo.testkit.RegistryFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store against a real etcd, at the sizes users run. */
class EtcdRegistryStoreTest {
  private static final AtomicInteger ENVS = new AtomicInteger();

  private final String env = "st" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  private final String endpoint = EtcdServer.shared().endpoint();
  private final Client client = Etcd.client(EtcdSettings.of(endpoint));
  private final EtcdRegistryStore store = new EtcdRegistryStore(client.getKVClient(), Duration.ofSeconds(5));

  @AfterEach
  void close() {
    RegistryFixture.deletePrefix(endpoint, "/mdo/" + env + "/");
    client.close();
  }

  @Test
  void loadsMoreRecordsThanOneGrpcMessageHolds() {
    Map<String, String> records = RegistryFixture.records(env, "cassandra", 0, 10_000);
    assertThat(records.values().stream().mapToInt(String::length).sum()).isGreaterThan(6_000_000); // > 4 MiB
    RegistryFixture.putAll(endpoint, records);

    Snapshot snapshot = store.load(env);

    assertThat(snapshot.records()).hasSize(10_000);
    assertThat(snapshot.records()).allSatisfy(s -> assertThat(s.record()).isNotNull());
  }
}
