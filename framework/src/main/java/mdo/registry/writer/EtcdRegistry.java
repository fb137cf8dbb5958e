package mdo.registry.writer;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;

/**
 * The etcd side of the writer: reads an environment's instance keys and commits {@link Change}s as compare-and-swap
 * transactions, {@link #BATCH} changes per transaction and up to {@link #IN_FLIGHT} transactions at once. A batch
 * whose compares do not all hold is retried one change at a time, so one conflicting key does not block the rest.
 */
final class EtcdRegistry {
  static final int BATCH = 100; // etcd's default --max-txn-ops is 128
  static final int IN_FLIGHT = 8;

  /** What happened to one change: applied at {@code revision}, or refused by its compare. */
  record Result(Change change, boolean applied, long revision) {}

  /** etcd did not answer (down, timeout, auth): nothing is known about the changes. */
  static final class EtcdException extends RuntimeException {
    EtcdException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final KV kv;
  private final Duration timeout;

  EtcdRegistry(KV kv, Duration timeout) {
    this.kv = kv;
    this.timeout = timeout;
  }

  record Snapshot(List<Stored> records, long revision, int malformed) {}

  /** Every instance key of the environment. Values that are not records are returned with a null record. */
  Snapshot load(String environment) {
    String prefix = RegistryKeys.services(environment);
    GetResponse response = await(kv.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build()), "read " + prefix);
    List<Stored> records = new ArrayList<>();
    int malformed = 0;
    for (KeyValue kv : response.getKvs()) {
      String key = kv.getKey().toString();
      String service = RegistryKeys.serviceOf(environment, key);
      if (service == null) continue; // not an instance key: never ours to touch
      InstanceRecord record = null;
      try {
        record = RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, key);
      } catch (IllegalArgumentException e) {
        malformed++;
      }
      records.add(new Stored(key, service, record, kv.getModRevision()));
    }
    return new Snapshot(records, response.getHeader().getRevision(), malformed);
  }

  /** One key, or null when absent. */
  Stored read(String environment, String key) {
    GetResponse response = await(kv.get(Etcd.bytes(key)), "read " + key);
    if (response.getKvs().isEmpty()) return null;
    KeyValue v = response.getKvs().get(0);
    InstanceRecord record = null;
    try {
      record = RegistryJson.read(v.getValue().getBytes(), InstanceRecord.class, key);
    } catch (IllegalArgumentException ignored) {
      // left null: resync replaces it
    }
    return new Stored(key, RegistryKeys.serviceOf(environment, key), record, v.getModRevision());
  }

  List<Result> commit(List<Change> changes) {
    if (changes.isEmpty()) return List.of();
    Semaphore inFlight = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<List<Result>>> pending = new ArrayList<>();
    for (int from = 0; from < changes.size(); from += BATCH) {
      List<Change> batch = changes.subList(from, Math.min(changes.size(), from + BATCH));
      acquire(inFlight);
      pending.add(txn(batch)
          .thenCompose(r -> r.isSucceeded() ? CompletableFuture.completedFuture(applied(batch, r)) : oneByOne(batch))
          .whenComplete((r, e) -> inFlight.release()));
    }
    List<Result> results = new ArrayList<>();
    for (CompletableFuture<List<Result>> f : pending) results.addAll(await(f, "commit " + changes.size() + " changes"));
    return results;
  }

  private CompletableFuture<List<Result>> oneByOne(List<Change> batch) {
    List<CompletableFuture<Result>> each = new ArrayList<>();
    for (Change c : batch) {
      each.add(txn(List.of(c)).thenApply(r -> new Result(c, r.isSucceeded(), r.getHeader().getRevision())));
    }
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
  }

  private static List<Result> applied(List<Change> batch, TxnResponse r) {
    long revision = r.getHeader().getRevision();
    return batch.stream().map(c -> new Result(c, true, revision)).toList();
  }

  private CompletableFuture<TxnResponse> txn(List<Change> batch) {
    Cmp[] cmps = new Cmp[batch.size()];
    Op[] ops = new Op[batch.size()];
    for (int i = 0; i < batch.size(); i++) {
      Change c = batch.get(i);
      ByteSequence key = Etcd.bytes(c.key());
      cmps[i] = c.expectedRevision() == 0
          ? new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0))
          : new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(c.expectedRevision()));
      ops[i] = c instanceof Change.Put p
          ? Op.put(key, ByteSequence.from(RegistryJson.write(p.record())), PutOption.DEFAULT)
          : Op.delete(key, DeleteOption.DEFAULT);
    }
    return kv.txn().If(cmps).Then(ops).commit().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private <T> T await(CompletableFuture<T> future, String what) {
    try {
      return future.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new EtcdException("etcd failed to " + what + ": " + rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new EtcdException("etcd did not answer to " + what + " within " + timeout.multipliedBy(2).toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdException("interrupted while waiting for etcd to " + what, e);
    }
  }

  private static void acquire(Semaphore s) {
    try {
      s.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdException("interrupted while committing to etcd", e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
