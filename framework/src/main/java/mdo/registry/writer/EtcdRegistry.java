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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
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
  /** How long a small batch may wait for the transactions in flight to finish, to be joined by what arrives meanwhile. */
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(3);

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

  /**
   * Commits changes and returns what happened to each. Changes from all callers go through one dispatcher that packs
   * whatever is waiting into transactions of up to {@link #BATCH} changes, with at most {@link #IN_FLIGHT} outstanding:
   * idle, a change is sent at once; under load, transactions fill up (group commit), which is what etcd is fast at.
   * When etcd is idle (nothing queued, nothing in flight) the caller sends its own changes instead, saving the
   * hand-off to the dispatcher thread, which on a busy machine is a scheduling delay on every event.
   * Callers must not have two changes of one key outstanding at once (the writer's service locks see to that).
   */
  List<Result> commit(List<Change> changes) {
    if (changes.isEmpty()) return List.of();
    startDispatcher();
    List<CompletableFuture<Result>> results = new ArrayList<>(changes.size());
    List<Item> items = new ArrayList<>(changes.size());
    for (Change c : changes) {
      Item item = new Item(c, new CompletableFuture<>());
      results.add(item.result());
      items.add(item);
    }
    if (!closed && changes.size() <= BATCH && queue.isEmpty() && inFlight.availablePermits() == IN_FLIGHT && slotNow()) {
      try {
        send(items);
      } catch (RuntimeException e) {
        inFlight.release();
        items.forEach(i -> i.result().completeExceptionally(e));
      }
    } else {
      queue.addAll(items);
    }
    long waitMillis = timeout.toMillis() * (3 + changes.size() / (BATCH * IN_FLIGHT));
    CompletableFuture<Void> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
    await(all, "commit " + changes.size() + " changes", waitMillis);
    return results.stream().map(CompletableFuture::join).toList();
  }

  private record Item(Change change, CompletableFuture<Result> result) {}

  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT, true); // fair: callers sending directly never starve the dispatcher
  private Thread dispatcher;
  private volatile boolean closed;

  /** A free slot if one is free now and the dispatcher is not waiting for one (fairness holds for a timed try). */
  private boolean slotNow() {
    try {
      return inFlight.tryAcquire(0, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private synchronized void startDispatcher() {
    if (dispatcher != null || closed) return;
    dispatcher = new Thread(this::dispatch, "mdo-etcd-commit");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  private void dispatch() {
    List<Item> carry = new ArrayList<>();
    while (!closed) {
      try {
        if (carry.isEmpty()) {
          Item first = queue.poll(100, TimeUnit.MILLISECONDS);
          if (first == null) continue;
          carry.add(first);
        }
        inFlight.acquire(); // while waiting for a slot, more changes queue up and join this transaction
        lingerWhileOthersInFlight(carry.size());
        List<Item> candidates = new ArrayList<>(carry);
        carry.clear();
        queue.drainTo(candidates, BATCH);
        List<Item> batch = new ArrayList<>(BATCH);
        Set<String> keys = new HashSet<>();
        for (Item i : candidates) {
          if (batch.size() < BATCH && keys.add(i.change().key())) batch.add(i);
          else carry.add(i); // etcd refuses a key twice in one transaction: it goes in the next one
        }
        try {
          send(batch);
        } catch (RuntimeException e) { // e.g. the client was closed: fail these changes, keep dispatching
          inFlight.release();
          batch.forEach(i -> i.result().completeExceptionally(e));
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Group commit at moderate rates: a small batch waits (at most {@link #LINGER_NANOS}) while other transactions are in
   * flight, so what arrives meanwhile shares its transaction and fsync instead of each change paying for its own.
   * A full batch, or an idle etcd, goes at once.
   */
  private void lingerWhileOthersInFlight(int carried) throws InterruptedException {
    long deadline = System.nanoTime() + LINGER_NANOS;
    synchronized (completions) {
      while (inFlight.availablePermits() < IN_FLIGHT - 1 && carried + queue.size() < BATCH) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return;
        TimeUnit.NANOSECONDS.timedWait(completions, left);
      }
    }
  }

  private final Object completions = new Object();

  private void send(List<Item> batch) {
    List<Change> changes = batch.stream().map(Item::change).toList();
    txn(changes).whenComplete((r, e) -> {
      inFlight.release();
      synchronized (completions) {
        completions.notifyAll();
      }
      if (e != null) {
        batch.forEach(i -> i.result().completeExceptionally(e));
      } else if (r.isSucceeded()) {
        long revision = r.getHeader().getRevision();
        batch.forEach(i -> i.result().complete(new Result(i.change(), true, revision)));
      } else {
        // some compare failed: find out which, one change at a time
        for (Item i : batch) {
          txn(List.of(i.change())).whenComplete((one, err) -> {
            if (err != null) i.result().completeExceptionally(err);
            else i.result().complete(new Result(i.change(), one.isSucceeded(), one.getHeader().getRevision()));
          });
        }
      }
    });
  }

  /** Stops the dispatcher; queued changes fail. */
  void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = dispatcher;
    }
    if (t != null) t.interrupt();
    Item i;
    while ((i = queue.poll()) != null) i.result().completeExceptionally(new EtcdException("writer closed", null));
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
    return await(future, what, timeout.toMillis() * 2);
  }

  private <T> T await(CompletableFuture<T> future, String what, long waitMillis) {
    try {
      return future.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new EtcdException("etcd failed to " + what + ": " + rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new EtcdException("etcd did not answer to " + what + " within " + waitMillis + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdException("interrupted while waiting for etcd to " + what, e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
