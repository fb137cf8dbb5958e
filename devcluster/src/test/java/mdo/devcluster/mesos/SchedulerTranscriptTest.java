package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static mdo.devcluster.mesos.MesosHarness.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

/**
 * A scheduler's conversation with the master, call by call, over real HTTP with a task that really runs: subscribe,
 * heartbeats, offers of the agent's resources, a launch, acknowledgement-gated updates, kill, reconciliation.
 */
class SchedulerTranscriptTest {
  private static final Filters NO_FILTER = Filters.newBuilder().setRefuseSeconds(0).build();

  @Test
  void subscribeLaunchAcknowledgeKillAndReconcile() throws Exception {
    try (MesosHarness h = MesosHarness.start()) {
      TestScheduler s = h.subscribe(framework("transcript").build());

      // 200 with the stream id and the accepted media type; SUBSCRIBED first, a HEARTBEAT right after it.
      assertThat(s.stream.header("Content-Type")).isEqualTo("application/x-protobuf");
      assertThat(s.streamId).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      Event subscribed = s.all.get(0);
      assertThat(subscribed.getType()).isEqualTo(Event.Type.SUBSCRIBED);
      assertThat(subscribed.getSubscribed().getHeartbeatIntervalSeconds()).isEqualTo(0.5);
      assertThat(subscribed.getSubscribed().getMasterInfo().getPort()).isEqualTo(h.cluster.port());
      await().atMost(Duration.ofSeconds(5)).until(() -> s.heartbeats() >= 3);
      synchronized (s) {
        assertThat(s.all.get(1).getType()).isEqualTo(Event.Type.HEARTBEAT);
      }

      // The agent's whole resources, allocated to the framework's role, in the old "role: *" format.
      Offer offer = s.offer();
      Resources offered = Resources.of(offer.getResourcesList());
      assertThat(offered.scalar("cpus")).isEqualTo(4.0);
      assertThat(offered.scalar("mem")).isEqualTo(4096.0);
      assertThat(offered.scalar("disk")).isEqualTo(10000.0);
      assertThat(offered.ranges("ports")).containsExactly(Resources.range(37000, 37099));
      assertThat(offer.getAllocationInfo().getRole()).isEqualTo("mdo");
      assertThat(offer.getResourcesList()).allSatisfy(r -> {
        assertThat(r.getRole()).isEqualTo("*");
        assertThat(r.getAllocationInfo().getRole()).isEqualTo("mdo");
      });
      assertThat(offer.getAgentId()).isEqualTo(h.cluster.agentId());
      assertThat(offer.getHostname()).isEqualTo("127.0.0.1");

      // A command task that really runs, with the environment the scheduler gave it.
      Path marker = h.dir.resolve("ran.txt");
      TaskInfo task = commandTask(offer, "web-1", "echo \"$MESOS_TASK_ID $PORT0 $MESOS_FRAMEWORK_ID\" > " + marker
          + ".tmp && mv " + marker + ".tmp " + marker + " && exec sleep 60", 0.5, 64,
          "MESOS_TASK_ID", "web-1", "PORT0", "37005")
          .addResources(ports(offer, 37005, 37005)).build();
      s.accept(offer, NO_FILTER, task);

      // Acknowledgement-gated: STARTING is resent until acknowledged, and RUNNING waits behind it.
      TaskStatus starting = s.update("web-1", TaskState.TASK_STARTING);
      assertThat(starting.getSource()).isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
      TaskStatus resent = s.update("web-1", TaskState.TASK_STARTING);
      assertThat(resent.getUuid()).isEqualTo(starting.getUuid());
      assertThat(s.pending()).noneMatch(e -> e.getUpdate().getStatus().getState() == TaskState.TASK_RUNNING);
      s.ack(starting);
      TaskStatus running = s.ackUpdate("web-1", TaskState.TASK_RUNNING);
      assertThat(running.getAgentId()).isEqualTo(h.cluster.agentId());
      assertThat(running.getExecutorId().getValue()).isEqualTo("web-1");
      long pid = running.getContainerStatus().getExecutorPid();
      assertThat(MesosHarness.alive(pid)).isTrue();
      assertThat(running.getContainerStatus().getNetworkInfos(0).getIpAddresses(0).getIpAddress())
          .isEqualTo("127.0.0.1");
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(marker));
      assertThat(Files.readString(marker).trim()).isEqualTo("web-1 37005 " + s.frameworkId.getValue());

      // Explicit reconciliation: the latest state, from the master, without a uuid.
      assertThat(s.reconcile(h.cluster.agentId(), "web-1", "never-launched").code()).isEqualTo(202);
      TaskStatus known = s.update("web-1", TaskState.TASK_RUNNING);
      assertThat(known.getReason()).isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);
      assertThat(known.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
      assertThat(known.getMessage()).isEqualTo("Reconciliation: Latest task state");
      assertThat(known.hasUuid()).isFalse();
      TaskStatus gone = s.update("never-launched");
      assertThat(gone.getState()).isEqualTo(TaskState.TASK_GONE);
      assertThat(gone.getMessage()).isEqualTo("Reconciliation: Task is unknown to the agent");
      s.reconcile(null, "nowhere");
      assertThat(s.update("nowhere").getState()).isEqualTo(TaskState.TASK_UNKNOWN);

      // Implicit reconciliation: every task the master knows.
      assertThat(s.post(s.newCall(Call.Type.RECONCILE).setReconcile(Call.Reconcile.getDefaultInstance()).build())
          .code()).isEqualTo(202);
      assertThat(s.update("web-1", TaskState.TASK_RUNNING).getReason())
          .isEqualTo(TaskStatus.Reason.REASON_RECONCILIATION);

      // Kill: TASK_KILLING (the framework can take it), then TASK_KILLED once the process is gone.
      assertThat(s.kill("web-1", h.cluster.agentId()).code()).isEqualTo(202);
      s.ackUpdate("web-1", TaskState.TASK_KILLING);
      TaskStatus killed = s.ackUpdate("web-1", TaskState.TASK_KILLED);
      assertThat(killed.getMessage()).isEqualTo("Command terminated with signal Terminated");
      assertThat(MesosHarness.alive(pid)).isFalse();

      // Acknowledged terminal: the master forgot the task; the agent is registered, so it is gone.
      s.reconcile(h.cluster.agentId(), "web-1");
      assertThat(s.update("web-1").getState()).isEqualTo(TaskState.TASK_GONE);
    }
  }
}
