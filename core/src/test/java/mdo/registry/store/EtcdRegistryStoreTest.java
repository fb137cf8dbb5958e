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

  @Test
  void aLoadReadsAgainOnlyTheValuesThatChangedSinceTheCallerReadThem() {
    RegistryFixture.putAll(endpoint, RegistryFixture.records(env, "web", 0, 2_000));
    RegistryFixture.putAll(endpoint, Map.of(mdo.registry.RegistryKeys.ordinal(env, "web", 0), RegistryFixture.taskId(env, "web", 0)));
    Snapshot first = store.load(env);
    Map<String, Stored> byKey = new java.util.HashMap<>();
    first.records().forEach(r -> byKey.put(r.key(), r));
    Known known = new Known() {
      @Override
      public Stored record(String key) {
        return byKey.get(key);
      }

      @Override
      public StoredClaim claim(String key) {
        return first.claims().stream().filter(c -> c.key().equals(key)).findFirst().orElse(null);
      }
    };
    // behind the caller's back: one record changes, one goes, one appears, one becomes unreadable
    var changed = RegistryFixture.record(env, "web", 5).put("state", "TASK_KILLING");
    RegistryFixture.putAll(endpoint, Map.of(RegistryFixture.key(env, "web", 5), changed.toString(),
        RegistryFixture.key(env, "web", 7), "{not json"));
    RegistryFixture.putAll(endpoint, RegistryFixture.records(env, "web", 2_000, 1));
    RegistryFixture.deletePrefix(endpoint, RegistryFixture.key(env, "web", 9));

    Snapshot second = store.load(env, known);

    assertThat(second.records()).hasSize(2_000);
    Map<String, Stored> now = new java.util.HashMap<>();
    second.records().forEach(r -> now.put(r.key(), r));
    assertThat(now.get(RegistryFixture.key(env, "web", 5)).record().state()).isEqualTo("TASK_KILLING");
    assertThat(now.get(RegistryFixture.key(env, "web", 7)).record()).isNull();
    assertThat(now).containsKey(RegistryFixture.key(env, "web", 2_000)).doesNotContainKey(RegistryFixture.key(env, "web", 9));
    assertThat(now.get(RegistryFixture.key(env, "web", 1))).isSameAs(byKey.get(RegistryFixture.key(env, "web", 1)));
    assertThat(second.claims()).singleElement().isSameAs(first.claims().get(0));
    assertThat(second.bad()).extracting(BadData::kind).containsExactly(BadData.Kind.JSON);
  }
}
