package mdo.registry.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mdo.registry.Etcd;
import mdo.registry.EtcdRanges;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;

/**
 * The registry in etcd: prefix reads in pages at one revision ({@link EtcdRanges}: the registry may hold 50,000+
 * records, far past one gRPC message) and compare-and-swap transactions. The client belongs to the caller.
 */
public final class EtcdRegistryStore implements RegistryStore {
  /** A load whose second prefix lost its revision to a compaction starts over, this many times at most. */
  private static final int LOAD_ATTEMPTS = 3;

  private final KV kv;
  private final Duration timeout;

  /** @param timeout per request, and per page of a prefix read */
  public EtcdRegistryStore(KV kv, Duration timeout) {
    this.kv = kv;
    this.timeout = timeout;
  }

  @Override
  public Snapshot load(String environment) {
    String services = RegistryKeys.services(environment);
    String ordinals = RegistryKeys.ordinals(environment);
    for (int attempt = 1; ; attempt++) {
      SnapshotReader reader = new SnapshotReader(environment);
      long revision = EtcdException.await(() -> EtcdRanges.scan(kv, services, timeout, reader::restart,
          v -> reader.instance(v.getKey().toString(), v.getValue().getBytes(), v.getModRevision())),
          "read " + services, timeout);
      try {
        EtcdException.await(() -> {
          EtcdRanges.scanAt(kv, ordinals, revision, timeout,
              v -> reader.claim(v.getKey().toString(), v.getValue().getBytes(), v.getModRevision()));
          return null;
        }, "read " + ordinals + " at revision " + revision, timeout);
      } catch (EtcdException e) {
        if (attempt < LOAD_ATTEMPTS && EtcdRanges.compacted(e)) continue;
        throw e;
      }
      return reader.snapshot(revision);
    }
  }

  @Override
  public Stored read(String environment, String key) {
    KeyValue v = get(key);
    return v == null ? null : SnapshotReader.decode(environment, key, v.getValue().getBytes(), v.getModRevision());
  }

  @Override
  public StoredClaim readClaim(String environment, String key) {
    KeyValue v = get(key);
    return v == null ? null : SnapshotReader.claimOf(environment, key, v.getValue().getBytes(), v.getModRevision());
  }

  private KeyValue get(String key) {
    GetResponse response = EtcdException.await(kv.get(Etcd.bytes(key)), "read " + key, timeout.multipliedBy(2));
    return response.getKvs().isEmpty() ? null : response.getKvs().get(0);
  }

  @Override
  public CompletableFuture<Outcome> transact(List<Change> changes) {
    List<Cmp> cmps = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    for (Change c : changes) {
      add(c, cmps, ops);
      if (c.claim() != null) add(c.claim(), cmps, ops);
    }
    return kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new)).commit()
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(r -> new Outcome(r.isSucceeded(), r.getHeader().getRevision()));
  }

  private static void add(Change c, List<Cmp> cmps, List<Op> ops) {
    ByteSequence key = Etcd.bytes(c.key());
    cmps.add(c.expectedRevision() == 0
        ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
        : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(c.expectedRevision())));
    if (c instanceof Change.Put p) {
      ops.add(Op.put(key, ByteSequence.from(RegistryJson.write(p.record())), PutOption.DEFAULT));
    } else if (c instanceof Change.Claim claim && claim.holder() != null) {
      ops.add(Op.put(key, ByteSequence.from(claim.holder(), StandardCharsets.UTF_8), PutOption.DEFAULT));
    } else {
      ops.add(Op.delete(key, DeleteOption.DEFAULT));
    }
  }

  @Override
  public boolean ping(String environment) {
    try {
      get(RegistryKeys.environment(environment));
      return true;
    } catch (EtcdException e) {
      return e.kind() != mdo.command.Failure.Kind.UNAVAILABLE; // it answered, even if with an error
    }
  }

  @Override
  public void close() {}
}
