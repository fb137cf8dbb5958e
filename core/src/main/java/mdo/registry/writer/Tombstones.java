package mdo.registry.writer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Task ids known to have ended, most recent first out. Task ids are never reused (a 1.8+ relaunch gets a new one), so
 * a late event or a listing taken before the end must not bring such a task back. Bounded; oldest entries go first.
 */
final class Tombstones {
  private final Map<String, Boolean> ended;

  Tombstones(int capacity) {
    this.ended = new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized void add(String taskId) {
    ended.put(taskId, Boolean.TRUE);
  }

  synchronized boolean contains(String taskId) {
    return ended.containsKey(taskId);
  }
}
