package mdo.framework.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.framework.desired.DesiredService;
import mdo.framework.state.FrameworkTask;
import org.junit.jupiter.api.Test;

/** Marathon's scaling and rolling-update rules, as the scheduler applies them per service. */
class ServicePlanTest {
  static final String V1 = "2026-01-01T00:00:00.000Z";
  static final String V2 = "2026-01-02T00:00:00.000Z";

  static DesiredService desired(int instances, String configVersion, boolean checked) {
    return desired(instances, configVersion, checked ? "    health: {protocol: tcp, port: http}\n" : "");
  }

  static DesiredService desired(int instances, String configVersion, String moreYaml) {
    MdoConfig cfg = ConfigLoader.parse(java.nio.file.Path.of("config.yaml"), """
        services:
          web:
            cmd: sleep 1000
            network: host
            ports: {http: 0}
        """ + moreYaml, Map.of());
    ServiceDefinition d = ServiceDefinition.of(cfg, cfg.service("web"));
    d = d.withInstances(instances);
    return new DesiredService(d, configVersion, configVersion, "d-" + configVersion, List.of(10000));
  }

  static FrameworkTask task(int n, String configVersion, String state, Boolean healthy) {
    String id = String.format("default_web.instance-00000000-0000-0000-0000-%012d._app.1", n);
    return new FrameworkTask(id, "web", "agent-1", "127.0.0.1", Map.of(), Map.of(), configVersion, configVersion, state,
        healthy, String.format("2026-01-01T00:00:%02d.000Z", n), null, null, false, false);
  }

  static List<FrameworkTask> running(int count, String configVersion) {
    List<FrameworkTask> out = new ArrayList<>();
    for (int i = 0; i < count; i++) out.add(task(i, configVersion, "TASK_RUNNING", null));
    return out;
  }

  static List<String> killed(ServicePlan plan) {
    return plan.kills().stream().map(k -> k.task().taskId()).toList();
  }

  @Test
  void aNewServiceLaunchesEveryInstance() {
    ServicePlan plan = ServicePlan.of(desired(3, V1, false), List.of(), false);

    assertThat(plan.demand()).isEqualTo(3);
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.done()).isFalse();
  }

  @Test
  void wantedInstancesRunningIsDone() {
    ServicePlan plan = ServicePlan.of(desired(2, V1, false), running(2, V1), false);

    assertThat(plan.demand()).isZero();
    assertThat(plan.kills()).isEmpty();
    assertThat(plan.running()).isEqualTo(2);
    assertThat(plan.done()).isTrue();
  }

  @Test
  void stagedInstancesAreNotDone() {
    List<FrameworkTask> tasks = List.of(task(0, V1, "TASK_RUNNING", null), task(1, V1, "TASK_STAGING", null));
    ServicePlan plan = ServicePlan.of(desired(2, V1, false), tasks, false);

    assertThat(plan.demand()).isZero();
    assertThat(plan.staged()).isEqualTo(1);
    assertThat(plan.done()).isFalse();
  }

  @Test
  void checkedInstancesCountOnlyOnceHealthy() {
    List<FrameworkTask> tasks = List.of(task(0, V1, "TASK_RUNNING", true), task(1, V1, "TASK_RUNNING", null));
    ServicePlan plan = ServicePlan.of(desired(2, V1, true), tasks, false);

    assertThat(plan.healthy()).isEqualTo(1);
    assertThat(plan.done()).isFalse();
  }

  @Test
  void scalingDownKillsTheNewestFirst() {
    ServicePlan plan = ServicePlan.of(desired(1, V1, false), running(3, V1), false);

    assertThat(killed(plan)).containsExactly(task(2, V1, "", null).taskId(), task(1, V1, "", null).taskId());
    assertThat(plan.kills()).allSatisfy(k -> assertThat(k.reason()).isEqualTo("scaling down to 1"));
    assertThat(plan.done()).isFalse();
  }

  @Test
  void tasksBeingKilledNeitherCountNorAreKilledAgain() {
    List<FrameworkTask> tasks = new ArrayList<>(running(2, V1));
    tasks.add(task(2, V1, "TASK_RUNNING", null).killed());
    ServicePlan plan = ServicePlan.of(desired(2, V1, false), tasks, false);

    assertThat(plan.kills()).isEmpty();
    assertThat(plan.demand()).isZero();
    assertThat(plan.done()).as("not done until the killed task is gone").isFalse();
  }

  @Test
  void aRollingUpdateStartsTheNewBesideTheOldAndKillsOldAsNewBecomeReady() {
    DesiredService d = desired(2, V2, false);
    List<FrameworkTask> tasks = new ArrayList<>(running(2, V1));

    ServicePlan start = ServicePlan.of(d, tasks, false);
    assertThat(start.demand()).isEqualTo(2);
    assertThat(start.kills()).isEmpty();
    assertThat(start.old()).isEqualTo(2);

    tasks.add(task(10, V2, "TASK_RUNNING", null));
    tasks.add(task(11, V2, "TASK_STAGING", null));
    ServicePlan oneReady = ServicePlan.of(d, tasks, false);
    assertThat(killed(oneReady)).as("the oldest old one goes, keeping 2 ready").containsExactly(tasks.get(0).taskId());
    assertThat(oneReady.kills().get(0).reason()).isEqualTo("replaced by configuration " + V2);
    assertThat(oneReady.demand()).isZero();
  }

  @Test
  void oldTasksWaitForHealthyReplacementsWhenChecked() {
    DesiredService d = desired(1, V2, true);
    List<FrameworkTask> tasks = List.of(task(0, V1, "TASK_RUNNING", true), task(1, V2, "TASK_RUNNING", null));

    assertThat(ServicePlan.of(d, tasks, false).kills()).isEmpty();
    List<FrameworkTask> healthy = List.of(task(0, V1, "TASK_RUNNING", true), task(1, V2, "TASK_RUNNING", true));
    assertThat(killed(ServicePlan.of(d, healthy, false))).containsExactly(task(0, V1, "", null).taskId());
  }

  @Test
  void noRoomForTheReplacementKillsOneOldTaskFirst() {
    DesiredService d = desired(2, V2, false);
    ServicePlan plan = ServicePlan.of(d, running(2, V1), true);

    assertThat(killed(plan)).containsExactly(task(0, V1, "", null).taskId());
    assertThat(plan.kills().get(0).reason()).contains("its replacement needs the place it holds");

    List<FrameworkTask> oneKilling = List.of(task(0, V1, "TASK_RUNNING", null).killed(), task(1, V1, "TASK_RUNNING",
        null));
    assertThat(ServicePlan.of(d, oneKilling, true).kills()).as("one at a time").isEmpty();
  }

  @Test
  void unreachableInstancesCountUntilInactive() {
    FrameworkTask unreachable = task(1, V1, "TASK_UNREACHABLE", null).withState("TASK_UNREACHABLE", null, null,
        "2026-01-01T00:10:00.000Z");
    List<FrameworkTask> tasks = List.of(task(0, V1, "TASK_RUNNING", null), unreachable);

    ServicePlan counting = ServicePlan.of(desired(2, V1, false), tasks, false);
    assertThat(counting.demand()).isZero();
    assertThat(counting.done()).isFalse();

    ServicePlan replacing = ServicePlan.of(desired(2, V1, false), List.of(tasks.get(0), unreachable.deactivated()),
        false);
    assertThat(replacing.demand()).isEqualTo(1);
    assertThat(replacing.kills()).as("an inactive task is killed when it comes back, not now").isEmpty();
  }

  @Test
  void aServiceWithoutDesiredStateHasEverythingKilled() {
    ServicePlan plan = ServicePlan.of(null, running(2, V1), false);

    assertThat(plan.kills()).hasSize(2).allSatisfy(k ->
        assertThat(k.reason()).isEqualTo("the service has no desired state"));
    assertThat(plan.demand()).isZero();
  }

  @Test
  void scalingToZeroDuringAnUpdateKillsOldAndNew() {
    List<FrameworkTask> tasks = new ArrayList<>(running(2, V1));
    tasks.add(task(5, V2, "TASK_RUNNING", null));
    ServicePlan plan = ServicePlan.of(desired(0, V2, false), tasks, false);

    assertThat(plan.kills()).hasSize(3);
    assertThat(plan.demand()).isZero();
  }

  @Test
  void anUpgradeStrategyKillsOldTasksDownToTheMinimumAndLaunchesUpToTheMaximum() {
    DesiredService d = desired(4, V2, "    upgrade-strategy: {minimum-health-capacity: 0.5, maximum-over-capacity: 0}\n");
    List<FrameworkTask> tasks = new ArrayList<>(running(4, V1));

    ServicePlan start = ServicePlan.of(d, tasks, false);
    assertThat(killed(start)).as("half may go at once, oldest first")
        .containsExactly(tasks.get(0).taskId(), tasks.get(1).taskId());
    assertThat(start.demand()).as("no task beyond 4 may run").isZero();

    List<FrameworkTask> twoGone = new ArrayList<>(tasks.subList(2, 4));
    ServicePlan refill = ServicePlan.of(d, twoGone, false);
    assertThat(refill.demand()).isEqualTo(2);
    assertThat(refill.kills()).isEmpty();

    twoGone.add(task(10, V2, "TASK_RUNNING", null));
    twoGone.add(task(11, V2, "TASK_RUNNING", null));
    assertThat(killed(ServicePlan.of(d, twoGone, false))).as("two new ready: the other two old ones go")
        .containsExactly(tasks.get(2).taskId(), tasks.get(3).taskId());
  }

  @Test
  void aStrategyFromConfigIsFollowedEvenWhereTheDefaultWouldMakeRoom() {
    DesiredService d = desired(2, V2, "    upgrade-strategy: {minimum-health-capacity: 1, maximum-over-capacity: 1}\n");

    ServicePlan plan = ServicePlan.of(d, running(2, V1), true);
    assertThat(plan.kills()).as("minimum-health-capacity 1: no old task goes before a new one is ready").isEmpty();
    assertThat(plan.demand()).isEqualTo(2);
  }
}
