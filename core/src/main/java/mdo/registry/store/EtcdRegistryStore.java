package mdo.registry.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;

/** The registry in etcd: prefix reads and compare-and-swap transactions. The client belongs to the caller. */
public final class EtcdRegistryStore implements RegistryStore {
  private final KV kv;
  private final Duration timeout;

  public EtcdRegistryStore(KV kv, Duration timeout) {
    this.kv = kv;
    this.timeout = timeout;
  }

  @Override
  public Snapshot load(String environment) {
    String prefix = RegistryKeys.services(environment);
    GetResponse response = EtcdException.await(kv.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build()),
        "read " + prefix, timeout.multipliedBy(2));
    List<Stored> records = new ArrayList<>();
    int malformed = 0;
    for (KeyValue kv : response.getKvs()) {
      String key = kv.getKey().toString();
      String service = RegistryKeys.serviceOf(environment, key);
      if (service == null) continue; // not an instance key: never ours to touch
      InstanceRecord record = record(kv, key);
      if (record == null) malformed++;
      records.add(new Stored(key, service, record, kv.getModRevision()));
    }
    return new Snapshot(records, response.getHeader().getRevision(), malformed);
  }

  @Override
  public Stored read(String environment, String key) {
    GetResponse response = EtcdException.await(kv.get(Etcd.bytes(key)), "read " + key, timeout.multipliedBy(2));
    if (response.getKvs().isEmpty()) return null;
    KeyValue v = response.getKvs().get(0);
    return new Stored(key, RegistryKeys.serviceOf(environment, key), record(v, key), v.getModRevision());
  }

  /** The record a value holds, or null when it is not one (resync replaces it). */
  private static InstanceRecord record(KeyValue kv, String key) {
    try {
      return RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  @Override
  public CompletableFuture<Outcome> transact(List<Change> changes) {
    Cmp[] cmps = new Cmp[changes.size()];
    Op[] ops = new Op[changes.size()];
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      ByteSequence key = Etcd.bytes(c.key());
      cmps[i] = c.expectedRevision() == 0
          ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
          : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(c.expectedRevision()));
      ops[i] = c instanceof Change.Put p
          ? Op.put(key, ByteSequence.from(RegistryJson.write(p.record())), PutOption.DEFAULT)
          : Op.delete(key, DeleteOption.DEFAULT);
    }
    return kv.txn().If(cmps).Then(ops).commit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> new Outcome(r.isSucceeded(), r.getHeader().getRevision()));
  }

  @Override
  public boolean ping(String environment) {
    try {
      read(environment, RegistryKeys.environment(environment));
      return true;
    } catch (EtcdException e) {
      return false;
    }
  }

  @Override
  public void close() {}
}
