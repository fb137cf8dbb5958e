package mdo.subscriber.callbacks;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import mdo.registry.Etcd;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registrations in etcd, one key each at {@code /mdo/<env>/callbacks/<service>/<id>}. */
final class CallbackStore {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(CallbackStore.class);

  private final Client client;
  private final String environment;

  CallbackStore(Client client, String environment) {
    this.client = client;
    this.environment = environment;
  }

  List<CallbackRegistration> loadAll() {
    List<KeyValue> kvs = await(client.getKVClient()
        .get(Etcd.bytes(RegistryKeys.callbacks(environment)), GetOption.builder().isPrefix(true).build()), "read callback registrations").getKvs();
    List<CallbackRegistration> all = new ArrayList<>(kvs.size());
    for (KeyValue kv : kvs) {
      try {
        all.add(RegistryJson.read(kv.getValue().getBytes(), CallbackRegistration.class, kv.getKey().toString()));
      } catch (IllegalArgumentException e) {
        log.warn("skipped: {}", e.getMessage());
      }
    }
    return all;
  }

  /** Writes a new registration; {@code false} if its key exists already. */
  boolean create(CallbackRegistration r) {
    ByteSequence key = key(r);
    return await(client.getKVClient().txn()
        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
        .Then(Op.put(key, ByteSequence.from(RegistryJson.write(r)), PutOption.DEFAULT))
        .commit(), "create callback registration " + r.id()).isSucceeded();
  }

  /** Records what the receiver acknowledged, unless the registration was deleted meanwhile (never resurrects it). */
  CompletableFuture<Boolean> saveDelivered(CallbackRegistration r) {
    ByteSequence key = key(r);
    return client.getKVClient().txn()
        .If(new Cmp(key, Cmp.Op.GREATER, CmpTarget.version(0)))
        .Then(Op.put(key, ByteSequence.from(RegistryJson.write(r)), PutOption.DEFAULT))
        .commit().thenApply(t -> t.isSucceeded());
  }

  /** {@code true} if it existed. */
  boolean delete(String service, String id) {
    return await(client.getKVClient().delete(Etcd.bytes(RegistryKeys.callback(environment, service, id))),
        "delete callback registration " + id).getDeleted() > 0;
  }

  private ByteSequence key(CallbackRegistration r) {
    return Etcd.bytes(RegistryKeys.callback(environment, r.service(), r.id()));
  }

  private static <T> T await(CompletableFuture<T> future, String what) {
    return EtcdException.await(future, what, TIMEOUT);
  }
}
