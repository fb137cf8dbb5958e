package mdo.registry.writer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The writer's locking: observations of one service are applied under that service's lock, and a resync's
 * compare-and-write phase excludes them all (it holds the write side of {@link #resync}, everything else the read side).
 */
final class Locks {
  final ReentrantReadWriteLock resync = new ReentrantReadWriteLock();
  private final Map<String, ReentrantLock> services = new ConcurrentHashMap<>();

  /** Runs {@code body} holding the locks of {@code names} (taken in name order, so never deadlocks). */
  <T> T withServices(Collection<String> names, Supplier<T> body) {
    Set<String> sorted = new TreeSet<>(names);
    List<ReentrantLock> held = new ArrayList<>();
    try {
      for (String s : sorted) {
        ReentrantLock lock = services.computeIfAbsent(s, x -> new ReentrantLock());
        lock.lock();
        held.add(lock);
      }
      return body.get();
    } finally {
      for (int i = held.size() - 1; i >= 0; i--) held.get(i).unlock();
    }
  }

  /** {@link #withServices} while no resync is writing. */
  <T> T applying(Collection<String> names, Supplier<T> body) {
    resync.readLock().lock();
    try {
      return withServices(names, body);
    } finally {
      resync.readLock().unlock();
    }
  }
}
