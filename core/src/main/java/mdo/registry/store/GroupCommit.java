package mdo.registry.store;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;

/**
 * Commits changes from many callers to a {@link RegistryStore}, up to {@link RegistryStore#MAX_OPS} operations per
 * transaction and up to {@link #IN_FLIGHT} transactions at once. A transaction whose compares do not all hold is
 * retried one change at a time, so one conflicting key does not block the rest.
 */
public final class GroupCommit implements AutoCloseable {
  static final int IN_FLIGHT = 8;
  /** How long a small batch may wait for the transactions in flight to finish, to be joined by what arrives meanwhile. */
  static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(3);
  private static final int BATCH = RegistryStore.MAX_OPS - 1; // one compare left for a fenced store's guard

  /** What happened to one change: applied at {@code revision}, or refused by its compare. */
  public record Result(Change change, boolean applied, long revision) {}

  private record Item(Change change, CompletableFuture<Result> result) {}

  private final RegistryStore store;
  private final Duration timeout;
  private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT, true); // fair: callers sending directly never starve the dispatcher
  private final Object completions = new Object();
  private Thread dispatcher;
  private volatile boolean closed;

  /** @param timeout the store's per-request timeout; a commit waits a multiple of it, scaled by its size */
  public GroupCommit(RegistryStore store, Duration timeout) {
    this.store = store;
    this.timeout = timeout;
  }

  /**
   * Commits changes and returns what happened to each. Changes from all callers go through one dispatcher that packs
   * whatever is waiting into transactions, with at most {@link #IN_FLIGHT} outstanding: idle, a change is sent at once;
   * under load, transactions fill up (group commit), which is what etcd is fast at. When the store is idle (nothing
   * queued, nothing in flight) the caller sends its own changes instead, saving the hand-off to the dispatcher thread,
   * which on a busy machine is a scheduling delay on every event. Callers must not have two changes of one key
   * outstanding at once (the writer's service locks see to that).
   *
   * @throws EtcdException when the store did not answer for some of them: nothing is known about those
   */
  public List<Result> commit(List<Change> changes) {
    if (changes.isEmpty()) return List.of();
    startDispatcher();
    List<CompletableFuture<Result>> results = new ArrayList<>(changes.size());
    List<Item> items = new ArrayList<>(changes.size());
    for (Change c : changes) {
      Item item = new Item(c, new CompletableFuture<>());
      results.add(item.result());
      items.add(item);
    }
    if (!closed && ops(items) <= BATCH && queue.isEmpty() && inFlight.availablePermits() == IN_FLIGHT && slotNow()) {
      send(items);
    } else {
      queue.addAll(items);
    }
    Duration wait = timeout.multipliedBy(3 + changes.size() / (BATCH * IN_FLIGHT));
    CompletableFuture<Void> all = CompletableFuture.allOf(results.toArray(CompletableFuture[]::new));
    EtcdException.await(all, "commit " + changes.size() + " changes", wait);
    return results.stream().map(CompletableFuture::join).toList();
  }

  private static int ops(List<Item> items) {
    int ops = 0;
    for (Item i : items) ops += i.change().ops();
    return ops;
  }

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
    dispatcher = DaemonThreads.create("mdo-etcd-commit", this::dispatch);
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
        int ops = 0;
        for (Item i : candidates) {
          // etcd refuses a key twice in one transaction, and more than MAX_OPS operations: those go in the next one
          if (ops + i.change().ops() <= BATCH && i.change().keys().stream().noneMatch(keys::contains)) {
            keys.addAll(i.change().keys());
            ops += i.change().ops();
            batch.add(i);
          } else {
            carry.add(i);
          }
        }
        send(batch);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Group commit at moderate rates: a small batch waits (at most {@link #LINGER_NANOS}) while other transactions are in
   * flight, so what arrives meanwhile shares its transaction and fsync instead of each change paying for its own.
   * A full batch, or an idle store, goes at once.
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

  /** Sends one transaction holding a slot; the slot is released when it completes, or at once if it cannot start. */
  private void send(List<Item> batch) {
    List<Change> changes = batch.stream().map(Item::change).toList();
    CompletableFuture<RegistryStore.Outcome> sent;
    try {
      sent = store.transact(changes);
    } catch (RuntimeException e) { // e.g. the client was closed: fail these changes, keep dispatching
      inFlight.release();
      batch.forEach(i -> i.result().completeExceptionally(e));
      return;
    }
    sent.whenComplete((outcome, e) -> {
      inFlight.release();
      synchronized (completions) {
        completions.notifyAll();
      }
      if (e != null) {
        batch.forEach(i -> i.result().completeExceptionally(e));
      } else if (outcome.succeeded()) {
        batch.forEach(i -> i.result().complete(new Result(i.change(), true, outcome.revision())));
      } else {
        retryOneByOne(batch);
      }
    });
  }

  /** Some compare failed: find out which, one change at a time. */
  private void retryOneByOne(List<Item> batch) {
    for (Item i : batch) {
      try {
        store.transact(List.of(i.change())).whenComplete((one, err) -> {
          if (err != null) i.result().completeExceptionally(err);
          else i.result().complete(new Result(i.change(), one.succeeded(), one.revision()));
        });
      } catch (RuntimeException e) {
        i.result().completeExceptionally(e);
      }
    }
  }

  /** Stops the dispatcher; queued changes fail. */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = dispatcher;
    }
    if (t != null) t.interrupt();
    Item i;
    while ((i = queue.poll()) != null) i.result().completeExceptionally(new EtcdException("writer closed", null));
  }
}
