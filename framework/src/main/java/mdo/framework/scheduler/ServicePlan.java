package mdo.framework.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import mdo.config.UpgradeStrategy;
import mdo.framework.desired.DesiredService;
import mdo.framework.state.FrameworkTask;

/**
 * What one service needs now, from its desired state and the tasks it has: which tasks to kill, how many to launch,
 * and how far it is. Pure: the same input gives the same plan. The rules are Marathon's ({@code TaskReplaceActor},
 * {@code YOUNGEST_FIRST}) for the service's upgrade strategy, by default {@code minimumHealthCapacity} 1 and
 * {@code maximumOverCapacity} 1:
 *
 * <ul>
 *   <li>tasks that are neither being killed nor inactive (unreachable past the timeout) count; of those, the ones
 *       launched under the current configuration version are current, the others old;
 *   <li>more current tasks than wanted: the newest are killed;
 *   <li>fewer: the difference is launched beside the old ones, as far as {@code maximumOverCapacity} lets tasks that
 *       have not ended exceed the wanted number;
 *   <li>old tasks are killed, oldest first, while ready current ones (running, and healthy where checked) and old ones
 *       together stay above {@code ceil(instances × minimumHealthCapacity)};
 *   <li>without a strategy in config.yaml, when the new tasks cannot be placed beside the old ones
 *       ({@code roomNeeded}: fixed host ports or hostname UNIQUE), one old task at a time is killed first
 *       (kill-then-start); a strategy set in config.yaml is followed as Marathon follows it;
 *   <li>a service without desired state has all its tasks killed.
 * </ul>
 *
 * @param kills tasks to kill, each with why
 * @param demand tasks to launch
 */
record ServicePlan(List<Kill> kills, int demand, int running, int healthy, int staged, int old, boolean done) {

  /** A task to kill and why, for the log. */
  record Kill(FrameworkTask task, String reason) {}

  /**
   * @param desired null when the service has none (then everything it runs goes)
   * @param tasks the service's tasks that have not ended
   */
  static ServicePlan of(DesiredService desired, List<FrameworkTask> tasks, boolean roomNeeded) {
    List<Kill> kills = new ArrayList<>();
    if (desired == null) {
      for (FrameworkTask t : tasks) if (!t.killing()) kills.add(new Kill(t, "the service has no desired state"));
      return new ServicePlan(kills, 0, 0, 0, 0, 0, false);
    }
    int wanted = desired.instances();
    UpgradeStrategy strategy = desired.definition().upgradeStrategy();
    if (strategy == null) strategy = UpgradeStrategy.MARATHON_DEFAULT;
    else roomNeeded = false;
    int minimumReady = (int) Math.ceil(wanted * strategy.minimumHealthCapacity());
    int maximumAlive = (int) Math.floor(wanted * (1 + strategy.maximumOverCapacity()));
    boolean checked = desired.definition().health() != null;
    List<FrameworkTask> current = new ArrayList<>();
    List<FrameworkTask> old = new ArrayList<>();
    int alive = 0;
    int oldAlive = 0;
    boolean oldBeingKilled = false;
    for (FrameworkTask t : tasks) {
      if (t.inactive()) continue;
      alive++;
      boolean isCurrent = t.configVersion().equals(desired.configVersion());
      if (!isCurrent) oldAlive++;
      if (t.killing()) oldBeingKilled |= !isCurrent;
      else (isCurrent ? current : old).add(t);
    }
    current.sort(Comparator.comparing(FrameworkTask::stagedAt).thenComparing(FrameworkTask::taskId).reversed());
    while (current.size() > wanted) kills.add(new Kill(current.remove(0), "scaling down to " + wanted));
    int ready = 0;
    int running = 0;
    int healthy = 0;
    for (FrameworkTask t : current) {
      if (!t.running()) continue;
      running++;
      if (Boolean.TRUE.equals(t.healthy())) healthy++;
      if (!checked || Boolean.TRUE.equals(t.healthy())) ready++;
    }
    old.sort(Comparator.comparing(FrameworkTask::stagedAt).thenComparing(FrameworkTask::taskId));
    String replaced = "replaced by configuration " + desired.configVersion();
    for (int surplus = ready + old.size() - minimumReady; surplus > 0 && !old.isEmpty(); surplus--) {
      kills.add(new Kill(old.remove(0), replaced));
    }
    if (roomNeeded && !oldBeingKilled && !old.isEmpty()) {
      kills.add(new Kill(old.remove(0), replaced + "; first, as its replacement needs the place it holds"));
    }
    int demand = Math.max(0, Math.min(wanted - current.size(), maximumAlive - alive));
    boolean done = kills.isEmpty() && current.size() == wanted && ready == wanted && alive == wanted;
    return new ServicePlan(kills, demand, running, healthy, current.size() - running, oldAlive, done);
  }
}
