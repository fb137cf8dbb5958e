package mdo.subscriber.callbacks;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import mdo.registry.Etcd;
import mdo.registry.EtcdRanges;
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

  /** Every registration, read in pages at one revision (there may be one per task). */
  List<CallbackRegistration> loadAll() {
    List<CallbackRegistration> all = new ArrayList<>();
    EtcdException.await(() -> EtcdRanges.scan(client.getKVClient(), RegistryKeys.callbacks(environment), TIMEOUT,
        all::clear, kv -> {
          try {
            all.add(RegistryJson.read(kv.getValue().getBytes(), CallbackRegistration.class, kv.getKey().toString()));
          } catch (IllegalArgumentException e) {
            log.warn("skipped: {}", mdo.command.UntrustedText.escape(e.getMessage(), 500));
          }
        }), "read callback registrations", TIMEOUT);
    return all;
  }

  /** The registration stored at {@code service/id}, if any and readable. */
  Optional<CallbackRegistration> load(String service, String id) {
    String key = RegistryKeys.callback(environment, service, id);
    List<KeyValue> kvs = await(client.getKVClient().get(Etcd.bytes(key)), "read callback registration " + id).getKvs();
    if (kvs.isEmpty()) return Optional.empty();
    try {
      return Optional.of(RegistryJson.read(kvs.get(0).getValue().getBytes(), CallbackRegistration.class, key));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** What {@link #create} did: {@code refusal} says which quota is full; neither: the key existed (an id collision). */
  record Created(boolean created, String refusal) {}

  /**
   * Writes a new registration if the quotas allow it, as one compare-and-swap: the registration ids and the quota key
   * are read in one transaction, and the create only succeeds if no other create bumped the quota key since. Lost
   * races are retried with a fresh count.
   */
  Created create(CallbackRegistration r, Quotas quotas) {
    ByteSequence key = key(r);
    ByteSequence quotaKey = Etcd.bytes(RegistryKeys.callbackQuota(environment));
    String prefix = RegistryKeys.callbacks(environment);
    for (int attempt = 0; attempt < 20; attempt++) {
      TxnResponse read = await(client.getKVClient().txn().Then(Op.get(quotaKey, GetOption.DEFAULT),
          Op.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).withKeysOnly(true).build())).commit(),
          "count callback registrations");
      List<KeyValue> quota = read.getGetResponses().get(0).getKvs();
      long seen = quota.isEmpty() ? 0 : quota.get(0).getModRevision();
      List<String> ids = new ArrayList<>();
      for (KeyValue kv : read.getGetResponses().get(1).getKvs()) {
        String k = kv.getKey().toString();
        ids.add(k.substring(k.lastIndexOf('/') + 1));
      }
      if (ids.contains(r.id())) return new Created(false, null);
      Quotas.Usage usage = Quotas.usage(ids, r.owner(), r.taskId());
      String refusal = quotas.refusal(usage, r.owner(), r.taskId());
      if (refusal != null) return new Created(false, refusal);
      TxnResponse write = await(client.getKVClient().txn()
          .If(new Cmp(quotaKey, Cmp.Op.EQUAL, CmpTarget.modRevision(seen)),
              new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
          .Then(Op.put(key, ByteSequence.from(RegistryJson.write(r)), PutOption.DEFAULT),
              Op.put(quotaKey, Etcd.bytes(String.valueOf(usage.total() + 1)), PutOption.DEFAULT))
          .commit(), "create callback registration " + r.id());
      if (write.isSucceeded()) return new Created(true, null);
    }
    throw new EtcdException("create callback registration " + r.id() + ": 20 concurrent creates in a row won the race;"
        + " retry", null);
  }

  /** Whether the registry holds {@code taskId} as an instance of {@code service}: a live task of that service. */
  boolean liveTask(String service, String taskId) {
    return await(client.getKVClient().get(Etcd.bytes(RegistryKeys.instance(environment, service, taskId)),
        GetOption.builder().withCountOnly(true).build()), "read task " + taskId).getCount() > 0;
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
