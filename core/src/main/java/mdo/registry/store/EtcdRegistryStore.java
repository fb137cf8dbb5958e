package mdo.registry.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Txn;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import mdo.registry.Etcd;
import mdo.registry.EtcdRanges;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;

/**
 * The registry in etcd: prefix reads in pages at one revision ({@link EtcdRanges}: the registry may hold 50,000+
 * records, far past one gRPC message) and compare-and-swap transactions. The client belongs to the caller. With a
 * {@link Fence}, only its holder writes: nothing is sent without a guard, and every transaction also compares the guard
 * key (a leader key), so etcd refuses it once leadership has ended (a former leader that lost its lease, or was paused
 * past it, cannot write).
 */
public final class EtcdRegistryStore implements RegistryStore {
  /** A load whose later reads lost their revision to a compaction starts over, this many times at most. */
  private static final int LOAD_ATTEMPTS = 3;
  /** Up to this many values not held are read one by one (in parallel); more, with a scan of values. */
  private static final int READ_ONE_BY_ONE = 500;
  private static final int READS_IN_FLIGHT = 64;

  private final KV kv;
  private final Duration timeout;
  private final Fence fence;

  /** Unfenced: for a single writer (tests, benchmarks, tools). {@code timeout}: per request, and per page of a read. */
  public EtcdRegistryStore(KV kv, Duration timeout) {
    this(kv, timeout, null);
  }

  /** @param fence whose guard every write carries; {@code null} writes unfenced */
  public EtcdRegistryStore(KV kv, Duration timeout, Fence fence) {
    this.kv = kv;
    this.timeout = timeout;
    this.fence = fence;
  }

  /**
   * Reads both prefixes at one revision, keys and mod revisions first; then only the values {@code known} does not
   * hold at that revision: one by one when few, else with a scan of values. A resync that finds nothing changed thus
   * reads no record again.
   */
  @Override
  public Snapshot load(String environment, Known known) {
    String services = RegistryKeys.services(environment);
    String ordinals = RegistryKeys.ordinals(environment);
    for (int attempt = 1; ; attempt++) {
      SnapshotReader reader = new SnapshotReader(environment);
      try {
        long revision = EtcdException.await(() -> read(services, 0, reader::restart, v -> {
          String key = v.getKey().toString();
          if (!reader.instanceKey(key)) return true; // nothing to read
          Stored held = known.record(key);
          if (held == null || held.record() == null || held.modRevision() != v.getModRevision()) return false;
          reader.known(held);
          return true;
        }, v -> reader.instance(v.getKey().toString(), v.getValue().getBytes(), v.getModRevision())), "read " + services,
            timeout);
        EtcdException.await(() -> read(ordinals, revision, () -> {}, v -> {
          StoredClaim held = known.claim(v.getKey().toString());
          if (held == null || held.modRevision() != v.getModRevision()) return false;
          reader.known(held);
          return true;
        }, v -> reader.claim(v.getKey().toString(), v.getValue().getBytes(), v.getModRevision())),
            "read " + ordinals + " at revision " + revision, timeout);
        return reader.snapshot(revision);
      } catch (EtcdException e) {
        if (attempt < LOAD_ATTEMPTS && EtcdRanges.compacted(e)) continue; // compacted between two reads: again
        throw e;
      }
    }
  }

  /**
   * Reads {@code prefix} at {@code revision} (0: the current one, which it returns): every key with its mod revision,
   * then the values of those {@code held} says it does not have, into {@code value}.
   */
  private long read(String prefix, long revision, Runnable restart, Predicate<KeyValue> held, Consumer<KeyValue> value)
      throws ExecutionException, TimeoutException, InterruptedException {
    List<ByteSequence> missing = new ArrayList<>();
    Consumer<KeyValue> keys = v -> {
      if (!held.test(v)) missing.add(v.getKey());
    };
    long at = revision;
    if (revision == 0) {
      at = EtcdRanges.scan(kv, prefix, true, timeout, () -> {
        restart.run();
        missing.clear();
      }, keys);
    } else {
      EtcdRanges.scanAt(kv, prefix, revision, true, timeout, keys);
    }
    if (missing.size() > READ_ONE_BY_ONE) {
      Set<ByteSequence> wanted = new HashSet<>(missing);
      EtcdRanges.scanAt(kv, prefix, at, false, timeout, v -> {
        if (wanted.contains(v.getKey())) value.accept(v);
      });
      return at;
    }
    GetOption option = GetOption.builder().withRevision(at).build();
    Semaphore inFlight = new Semaphore(READS_IN_FLIGHT);
    List<CompletableFuture<GetResponse>> reads = new ArrayList<>(missing.size());
    for (ByteSequence key : missing) {
      inFlight.acquire();
      reads.add(kv.get(key, option).whenComplete((r, e) -> inFlight.release()));
    }
    for (CompletableFuture<GetResponse> read : reads) {
      for (KeyValue v : read.get(timeout.toMillis(), TimeUnit.MILLISECONDS).getKvs()) value.accept(v);
    }
    return at;
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
    Fence.Guard guard = fence == null ? null : fence.guard();
    if (fence != null && guard == null) {
      return CompletableFuture.failedFuture(new FencedException("not the leader: registry writes are refused"));
    }
    List<Cmp> cmps = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    for (Change c : changes) {
      add(c, cmps, ops);
      if (c.claim() != null) add(c.claim(), cmps, ops);
    }
    Txn txn;
    if (guard == null) {
      txn = kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new));
    } else {
      ByteSequence guardKey = Etcd.bytes(guard.key());
      cmps.add(new Cmp(guardKey, Cmp.Op.EQUAL, CmpTarget.createRevision(guard.createRevision())));
      txn = kv.txn().If(cmps.toArray(Cmp[]::new)).Then(ops.toArray(Op[]::new))
          .Else(Op.get(guardKey, GetOption.DEFAULT)); // tells a lost guard from a conflict
    }
    return txn.commit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(r -> {
      if (!r.isSucceeded() && guard != null && !held(guard, r)) {
        fence.breached(guard);
        throw new FencedException("etcd refused a registry write: " + guard.key() + " is no longer at revision "
            + guard.createRevision() + " (leadership lost)");
      }
      return new Outcome(r.isSucceeded(), r.getHeader().getRevision());
    });
  }

  /** Whether the failed transaction's guard key still has its create revision (then a record's compare failed). */
  private static boolean held(Fence.Guard guard, TxnResponse r) {
    if (r.getGetResponses().isEmpty()) return false;
    List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
    return !kvs.isEmpty() && kvs.get(0).getCreateRevision() == guard.createRevision();
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
