package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import okhttp3.Request;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

/**
 * What survives what: a scheduler's disconnection within and beyond its failover timeout, an HA takeover, TEARDOWN,
 * an agent partitioned away and back, and a master failover with a redirecting standby.
 */
class FailoverTest {
  private static final Filters NO_FILTER = Filters.newBuilder().setRefuseSeconds(0).build();

  /** Launches a long-running task and acknowledges STARTING; returns RUNNING (acknowledged only if asked). */
  private static TaskStatus launch(TestScheduler s, String id, String command, boolean ackRunning) {
    Offer offer = s.offer();
    s.accept(offer, NO_FILTER, commandTask(offer, id, command, 0.1, 32).build());
    s.ackUpdate(id, TaskState.TASK_STARTING);
    TaskStatus running = s.update(id, TaskState.TASK_RUNNING);
    if (ackRunning) s.ack(running);
    return running;
  }

  private static FrameworkInfo again(TestScheduler s) {
    return s.info;
  }

  @Test
  void aFrameworkThatComesBackWithinItsFailoverTimeoutKeepsItsTasksAndGetsPendingUpdatesAtOnce() {
    // Resends only every 10 s here: an update that arrives sooner after re-subscribing was resent because of it.
    try (MesosHarness h = MesosHarness.start(s -> s.withTimings(Duration.ofMillis(500), Duration.ofMillis(50),
        Duration.ofSeconds(10)))) {
      TestScheduler first = h.subscribe(framework("failover").setFailoverTimeout(30).build());
      TaskStatus running = launch(first, "survivor", "exec sleep 60", false);
      long pid = running.getContainerStatus().getExecutorPid();
      first.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> first.post(first.newCall(Call.Type.REVIVE).build())
          .code() == 403);

      long before = System.nanoTime();
      TestScheduler second = h.subscribe(again(first));
      assertThat(second.frameworkId).isEqualTo(first.frameworkId);
      TaskStatus resent = second.update("survivor", TaskState.TASK_RUNNING);
      assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
      assertThat(resent.getUuid()).isEqualTo(running.getUuid());
      second.ack(resent);
      assertThat(MesosHarness.alive(pid)).isTrue();

      second.reconcile(h.cluster.agentId(), "survivor");
      assertThat(second.update("survivor").getState()).isEqualTo(TaskState.TASK_RUNNING);
      second.kill("survivor", null);
      second.ackUpdate("survivor", TaskState.TASK_KILLING);
      second.ackUpdate("survivor", TaskState.TASK_KILLED);
    }
  }

  @Test
  void aSecondSubscriptionForTheSameFrameworkTakesOverAndTheOldOneHearsFrameworkFailedOver() {
    try (MesosHarness h = MesosHarness.start()) {
      TestScheduler leader = h.subscribe(framework("ha").build());
      Offer held = leader.offer();
      TestScheduler standby = h.subscribe(again(leader));
      Event error = leader.take(e -> e.getType() == Event.Type.ERROR);
      assertThat(error.getError().getMessage()).isEqualTo("Framework failed over");
      leader.awaitEnd();
      assertThat(leader.pending()).noneMatch(e -> e.getType() == Event.Type.RESCIND);

      // The old stream id is dead, and the old offers went without RESCIND.
      assertThat(leader.post(leader.newCall(Call.Type.REVIVE).build()).code()).isEqualTo(400);
      standby.accept(held, NO_FILTER, commandTask(held, "late", "true", 0.1, 32).build());
      assertThat(standby.update("late").getMessage()).isEqualTo("Task launched with invalid offers: Offer "
          + held.getId().getValue() + " is no longer valid");
      assertThat(standby.offer().getId()).isNotEqualTo(held.getId());
    }
  }

  @Test
  void pastItsFailoverTimeoutAFrameworkIsRemovedWithItsTasksAndItsIdIsRefused() throws Exception {
    try (MesosHarness h = MesosHarness.start()) {
      TestScheduler s = h.subscribe(framework("short-lived").setFailoverTimeout(1).build());
      long pid = launch(s, "doomed", "exec sleep 60", true).getContainerStatus().getExecutorPid();
      s.close();
      await().atMost(Duration.ofSeconds(15)).until(() -> !MesosHarness.alive(pid));

      Call resubscribe = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setFrameworkId(s.frameworkId)
          .setSubscribe(Call.Subscribe.newBuilder().setFrameworkInfo(again(s))).build();
      try (Response response = TestScheduler.open(h.url, resubscribe, false, h.http)) {
        assertThat(response.code()).isEqualTo(200);
        Event error = Event.parseFrom(TestScheduler.readRecord(response.body().byteStream()));
        assertThat(error.getError().getMessage()).isEqualTo("Framework has been removed");
        assertThat(response.body().byteStream().read()).isEqualTo(-1);
      }
      JsonNode state = state(h, h.url);
      assertThat(state.path("completed_frameworks").findValuesAsText("id")).contains(s.frameworkId.getValue());
      assertThat(state.path("frameworks").findValuesAsText("id")).doesNotContain(s.frameworkId.getValue());
    }
  }

  @Test
  void teardownRemovesTheFrameworkKillsItsTasksAndClosesItsStream() {
    try (MesosHarness h = MesosHarness.start()) {
      TestScheduler s = h.subscribe(framework("torn-down").build());
      long pid = launch(s, "victim", "exec sleep 60", true).getContainerStatus().getExecutorPid();
      assertThat(s.post(s.newCall(Call.Type.TEARDOWN).build()).code()).isEqualTo(202);
      s.awaitEnd();
      await().atMost(Duration.ofSeconds(15)).until(() -> !MesosHarness.alive(pid));
      assertThat(s.post(s.newCall(Call.Type.REVIVE).build()).body()).isEqualTo("Framework cannot be found");
    }
  }

  @Test
  void anAgentPartitionedAwayMakesItsTasksUnreachableAndBackReportsThemAgain() throws Exception {
    try (MesosHarness h = MesosHarness.start()) {
      TestScheduler aware = h.subscribe(framework("aware").build());
      TaskStatus running = launch(aware, "kept", "exec sleep 60", true);
      Path stop = h.dir.resolve("stop-finisher");
      launch(aware, "finisher", "while [ ! -f " + stop + " ]; do sleep 0.1; done", true);
      // One agent's free resources go to one framework at a time: each declines to let the other have them.
      aware.decline(aware.offer(), 60);
      TestScheduler legacy = h.subscribe(framework("legacy").clearCapabilities().clearRoles().setRole("*").build());
      launch(legacy, "old", "exec sleep 60", true);
      legacy.decline(legacy.offer(), 60);
      assertThat(aware.post(aware.newCall(Call.Type.REVIVE).build()).code()).isEqualTo(202);
      Offer outstanding = aware.offer();

      h.cluster.partitionAgent();
      TaskStatus unreachable = aware.update("kept", TaskState.TASK_UNREACHABLE);
      assertThat(unreachable.getReason()).isEqualTo(TaskStatus.Reason.REASON_AGENT_REMOVED);
      assertThat(unreachable.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
      assertThat(unreachable.hasUnreachableTime()).isTrue();
      assertThat(unreachable.hasUuid()).isFalse();
      assertThat(legacy.update("old").getState()).isEqualTo(TaskState.TASK_LOST);
      aware.take(e -> e.getType() == Event.Type.RESCIND && e.getRescind().getOfferId().equals(outstanding.getId()));
      aware.reconcile(h.cluster.agentId(), "kept");
      TaskStatus reconciled = aware.update("kept");
      assertThat(reconciled.getState()).isEqualTo(TaskState.TASK_UNREACHABLE);
      assertThat(reconciled.getMessage()).isEqualTo("Reconciliation: Task is unreachable");
      assertThat(MesosHarness.alive(running.getContainerStatus().getExecutorPid())).as("the agent still runs it")
          .isTrue();

      // While partitioned, one task finishes; its update waits on the agent.
      Files.writeString(stop, "");
      await().atMost(Duration.ofSeconds(10)).until(() -> h.cluster.liveTasks() == 2);

      h.cluster.healAgent();
      TaskStatus back = aware.update("kept", TaskState.TASK_RUNNING);
      assertThat(back.getReason()).isEqualTo(TaskStatus.Reason.REASON_AGENT_REREGISTERED);
      assertThat(back.getMessage()).isEqualTo("Unreachable agent re-reregistered");
      assertThat(legacy.update("old").getReason()).isEqualTo(TaskStatus.Reason.REASON_AGENT_REREGISTERED);
      TaskStatus finished = aware.update("finisher", TaskState.TASK_FINISHED);
      if (!finished.hasUuid()) finished = aware.update("finisher", TaskState.TASK_FINISHED);
      assertThat(finished.getMessage()).isEqualTo("Command exited with status 0");
      aware.ack(finished);

      // The framework decides: here it kills what came back rather than running it twice.
      aware.kill("kept", h.cluster.agentId());
      aware.ackUpdate("kept", TaskState.TASK_KILLING);
      aware.ackUpdate("kept", TaskState.TASK_KILLED);
      legacy.kill("old", null);
      legacy.ackUpdate("old", TaskState.TASK_KILLED);
    }
  }

  @Test
  void aStandbyMasterRedirectsAndAfterFailoverTheNewLeaderTakesTheFrameworkAndItsTasks() throws Exception {
    try (MesosHarness h = MesosHarness.start(s -> s.withMasters(2))) {
      String standby = h.cluster.urlOf(1);
      String leaderPath = "//127.0.0.1:" + h.cluster.port() + "/master/api/v1/scheduler";
      TestScheduler.Reply redirect = TestScheduler.execute(h.http.newBuilder().followRedirects(false).build(),
          new Request.Builder().url(standby + "/api/v1/scheduler").post(TestScheduler.body(Call.newBuilder()
              .setType(Call.Type.TEARDOWN).build(), false)).build());
      assertThat(redirect.code()).isEqualTo(307);
      assertThat(redirect.headers().get("Location")).isEqualTo(leaderPath);
      assertThat(state(h, standby)).isNotNull();

      TestScheduler s = h.subscribe(framework("through-failover").build());
      long pid = launch(s, "steady", "exec sleep 60", true).getContainerStatus().getExecutorPid();

      h.cluster.failOverMaster();
      s.awaitEnd();
      String oldLeader = h.cluster.urlOf(0);
      TestScheduler.Reply toNew = TestScheduler.execute(h.http.newBuilder().followRedirects(false).build(),
          new Request.Builder().url(oldLeader + "/api/v1/scheduler").post(TestScheduler.body(Call.newBuilder()
              .setType(Call.Type.TEARDOWN).build(), false)).build());
      assertThat(toNew.headers().get("Location")).isEqualTo("//127.0.0.1:" + h.cluster.port()
          + "/master/api/v1/scheduler");

      // Following the 307 (as OkHttp does for a POST), the scheduler re-subscribes with its framework id.
      TestScheduler resumed = TestScheduler.subscribe(oldLeader, again(s), false, h.http);
      try {
        assertThat(resumed.frameworkId).isEqualTo(s.frameworkId);
        assertThat(resumed.stream.request().url().port()).isEqualTo(h.cluster.port());
        // Reconcile until answered: while the agent has not re-registered the new master stays silent. The calls
        // go to the old leader too and follow its redirect.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
          assertThat(resumed.reconcile(h.cluster.agentId(), "steady").code()).isEqualTo(202);
          return resumed.arrives(e -> e.getType() == Event.Type.UPDATE, Duration.ofMillis(500));
        });
        assertThat(resumed.update("steady").getState()).isEqualTo(TaskState.TASK_RUNNING);
        assertThat(MesosHarness.alive(pid)).isTrue();
        JsonNode state = state(h, h.cluster.url());
        assertThat(state.path("frameworks").findValuesAsText("id")).contains(s.frameworkId.getValue());
        resumed.kill("steady", null);
        resumed.ackUpdate("steady", TaskState.TASK_KILLING);
        resumed.ackUpdate("steady", TaskState.TASK_KILLED);
      } finally {
        resumed.close();
      }
    }
  }

  static JsonNode state(MesosHarness h, String master) throws Exception {
    try (Response response = h.http.newCall(new Request.Builder().url(master + "/master/state").build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      return new ObjectMapper().readTree(response.body().string());
    }
  }
}
