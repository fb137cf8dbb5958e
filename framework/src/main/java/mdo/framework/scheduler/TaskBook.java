package mdo.framework.scheduler;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import mdo.framework.state.FrameworkTask;
import mdo.framework.state.StateStore;

/**
 * Every task the scheduler launched and has not seen end, in memory and in etcd ({@link StateStore}). A change is
 * written to etcd first and applied in memory only once etcd took it, so memory never holds what a successor would
 * not find; an {@link mdo.registry.store.EtcdException} leaves both as they were. Not thread-safe: the scheduler's
 * thread only.
 */
final class TaskBook {
  private final StateStore store;
  private final Map<String, FrameworkTask> tasks = new LinkedHashMap<>();

  TaskBook(StateStore store) {
    this.store = store;
  }

  /** Loads what the previous leader wrote. */
  void load() {
    tasks.clear();
    for (FrameworkTask t : store.loadTasks()) tasks.put(t.taskId(), t);
  }

  FrameworkTask get(String taskId) {
    return tasks.get(taskId);
  }

  Collection<FrameworkTask> all() {
    return tasks.values();
  }

  int size() {
    return tasks.size();
  }

  /** The tasks of each service, services sorted by name, tasks by launch time. */
  Map<String, List<FrameworkTask>> byService() {
    Map<String, List<FrameworkTask>> out = new TreeMap<>();
    for (FrameworkTask t : tasks.values()) out.computeIfAbsent(t.service(), s -> new ArrayList<>()).add(t);
    out.values().forEach(l -> l.sort(Comparator.comparing(FrameworkTask::stagedAt).thenComparing(FrameworkTask::taskId)));
    return out;
  }

  TreeSet<String> services() {
    TreeSet<String> out = new TreeSet<>();
    for (FrameworkTask t : tasks.values()) out.add(t.service());
    return out;
  }

  void put(FrameworkTask task) {
    putAll(List.of(task));
  }

  void putAll(List<FrameworkTask> changed) {
    if (changed.isEmpty()) return;
    store.putTasks(changed);
    for (FrameworkTask t : changed) tasks.put(t.taskId(), t);
  }

  void remove(String taskId) {
    store.deleteTask(taskId);
    tasks.remove(taskId);
  }

  /** Tasks whose launch the master refused: they never ran. */
  void removeAll(List<FrameworkTask> never) {
    for (FrameworkTask t : never) remove(t.taskId());
  }
}
