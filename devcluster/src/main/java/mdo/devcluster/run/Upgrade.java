package mdo.devcluster.run;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.apps.AppSpec;

/**
 * One RestartApplication step: old instances replaced by new ones within {@code upgradeStrategy}, counted exactly as
 * Marathon's {@code TaskReplaceActor} counts (1.7 to 1.10, {@code core/deployment/impl/TaskReplaceActor.scala}):
 *
 * <ul>
 *   <li>At the start: {@code minHealthy = ceil(instances * minimumHealthCapacity)}, {@code maxCapacity =
 *   floor(instances * (1 + maximumOverCapacity))}, and {@code healthy - minHealthy} old instances are killed at once
 *   (healthy = goal running and, if the app has checks, passing them). When {@code minHealthy == maxCapacity} and
 *   that many are healthy, one instance of over-capacity is allowed so the upgrade can start at all.</li>
 *   <li>New instances are started while {@code maxCapacity - oldNotYetGone - started} leaves room; that is
 *   re-evaluated only when an old instance is gone.</li>
 *   <li>Each new instance that becomes healthy kills the next old one (unhealthy ones first).</li>
 * </ul>
 *
 * <p>So the default (1 / 1) starts all new instances before killing any old one. When the new ones cannot be placed
 * (fixed host ports or {@code hostname:UNIQUE} held by the old ones), nothing ever gets healthy and the deployment
 * waits forever, as on Marathon. Only the actor thread touches it; {@link Scheduler} carries out its decisions.
 */
final class Upgrade {
  final String deploymentId;
  private boolean begun;
  private final Deque<String> toKill = new ArrayDeque<>();
  /** Old instances not yet terminal, killed or not ({@code oldActiveInstanceIds}). */
  private final Set<String> oldActive = new LinkedHashSet<>();
  /** New instances already counted as healthy; each killed one old instance. */
  private final Set<String> credited = new LinkedHashSet<>();
  private int started;
  private int maxCapacity;
  private int killsDue;
  private boolean launchDue;

  Upgrade(String deploymentId) {
    this.deploymentId = deploymentId;
  }

  boolean begun() {
    return begun;
  }

  /**
   * {@code computeRestartStrategy} over every instance of the app, whatever its goal.
   *
   * @param configVersion the definition the new instances run
   */
  void begin(AppSpec spec, String configVersion, List<Instance> all) {
    begun = true;
    int instances = spec.instances();
    List<Instance> old = new ArrayList<>();
    for (Instance i : all) {
      if (i.spec.configVersion().equals(configVersion)) {
        started++;
      } else if (i.goal == Instance.Goal.RUN) {
        old.add(i);
      }
    }
    long healthy = all.stream().filter(i -> i.goal == Instance.Goal.RUN && i.consideredHealthy()).count();
    int minHealthy = (int) Math.ceil(instances * spec.minimumHealthCapacity());
    maxCapacity = (int) (instances * (1 + spec.maximumOverCapacity()));
    int killNow = (int) Math.max(0, healthy - minHealthy);
    if (minHealthy == maxCapacity && maxCapacity <= healthy) maxCapacity += 1;
    if (instances < all.size()) killNow = Math.max(all.size() - instances, killNow);
    old.sort(Comparator.comparing(Instance::consideredHealthy).thenComparing(i -> i.createdAt));
    old.forEach(i -> {
      toKill.add(i.instanceId);
      oldActive.add(i.instanceId);
    });
    killsDue = killNow;
    launchDue = true;
  }

  /** An old instance is terminal: forget it, and see whether new ones fit now ({@code launchInstances}). */
  void oldGone(String instanceId) {
    if (oldActive.remove(instanceId)) launchDue = true;
    toKill.remove(instanceId);
  }

  Set<String> oldActive() {
    return Set.copyOf(oldActive);
  }

  /** A new instance became healthy and ready; the first time, it earns one kill. */
  void newReady(String instanceId) {
    if (credited.add(instanceId)) killsDue++;
  }

  /** A new instance's task ended; when relaunched and healthy again it counts again. */
  void newTerminated(String instanceId) {
    credited.remove(instanceId);
  }

  /** The next old instance to kill now, or null. */
  String nextKill() {
    if (killsDue <= 0 || toKill.isEmpty()) {
      killsDue = 0;
      return null;
    }
    killsDue--;
    return toKill.poll();
  }

  /** How many new instances to schedule now; counts them as started. */
  int toLaunch(int instances) {
    if (!launchDue) return 0;
    launchDue = false;
    int leftCapacity = Math.max(0, maxCapacity - oldActive.size() - started);
    int notStartedYet = Math.max(0, instances - started);
    int now = Math.min(notStartedYet, leftCapacity);
    started += now;
    return now;
  }
}
