package mdo.devcluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import mdo.devcluster.mesos.resources.Resources;
import okhttp3.OkHttpClient;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.Environment;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A Mesos-mode dev cluster on port 0 with short timers (a fast allocator, heartbeats every 500 ms, updates resent
 * after 500 ms), OkHttp clients for it, and the check that no task process outlives {@link #close()}.
 */
final class MesosHarness implements AutoCloseable {
  static final String AGENT_RESOURCES = "cpus:4;mem:4096;disk:10000;ports:[37000-37099]";
  final Path dir;
  final MesosDevCluster cluster;
  final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
  final String url;
  private final List<TestScheduler> schedulers = new ArrayList<>();

  private MesosHarness(Path dir, MesosDevCluster cluster) {
    this.dir = dir;
    this.cluster = cluster;
    this.url = cluster.url();
  }

  static MesosHarness start() {
    return start(s -> s);
  }

  static MesosHarness start(UnaryOperator<MesosSettings> tweak) {
    try {
      Path dir = Files.createTempDirectory("mdo-devcluster-mesos-test-");
      MesosSettings settings = MesosSettings.defaults(dir).withPort(0)
          .withAgentResources(Resources.parse(AGENT_RESOURCES))
          .withTimings(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(500))
          .withDefaultKillGrace(Duration.ofSeconds(1));
      return new MesosHarness(dir, MesosDevCluster.start(tweak.apply(settings)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A partition-aware, checkpointing, MULTI_ROLE framework in role "mdo", as mdo's scheduler subscribes. */
  static FrameworkInfo.Builder framework(String name) {
    return FrameworkInfo.newBuilder().setUser(System.getProperty("user.name")).setName(name)
        .setFailoverTimeout(60).setCheckpoint(true).addRoles("mdo")
        .addCapabilities(FrameworkInfo.Capability.newBuilder().setType(FrameworkInfo.Capability.Type.MULTI_ROLE))
        .addCapabilities(FrameworkInfo.Capability.newBuilder().setType(FrameworkInfo.Capability.Type.PARTITION_AWARE))
        .addCapabilities(FrameworkInfo.Capability.newBuilder()
            .setType(FrameworkInfo.Capability.Type.TASK_KILLING_STATE));
  }

  TestScheduler subscribe(FrameworkInfo info) {
    return subscribe(info, false);
  }

  TestScheduler subscribe(FrameworkInfo info, boolean json) {
    TestScheduler scheduler = TestScheduler.subscribe(url, info, json, http);
    schedulers.add(scheduler);
    return scheduler;
  }

  /** A command task on the offer's agent: {@code /bin/sh -c command} with these resources and environment. */
  static TaskInfo.Builder commandTask(Offer offer, String id, String command, double cpus, double mem,
                                      String... env) {
    CommandInfo.Builder cmd = CommandInfo.newBuilder().setValue(command);
    Environment.Builder environment = Environment.newBuilder();
    for (int i = 0; i + 1 < env.length; i += 2) {
      environment.addVariables(Environment.Variable.newBuilder().setName(env[i]).setValue(env[i + 1]));
    }
    cmd.setEnvironment(environment);
    return TaskInfo.newBuilder().setName(id).setTaskId(TaskID.newBuilder().setValue(id))
        .setAgentId(offer.getAgentId()).setCommand(cmd)
        .addResources(scalar(offer, "cpus", cpus)).addResources(scalar(offer, "mem", mem));
  }

  /** A scalar carved out of the offer: the offered resource's identity, this quantity. */
  static Resource scalar(Offer offer, String name, double value) {
    Resource offered = offer.getResourcesList().stream().filter(r -> r.getName().equals(name)).findFirst()
        .orElseThrow();
    return offered.toBuilder().setScalar(Value.Scalar.newBuilder().setValue(value)).build();
  }

  static Resource ports(Offer offer, long begin, long end) {
    Resource offered = offer.getResourcesList().stream().filter(r -> r.getName().equals("ports")).findFirst()
        .orElseThrow();
    return offered.toBuilder().setRanges(Value.Ranges.newBuilder().addRange(Resources.range(begin, end))).build();
  }

  /** The pids of every task process the schedulers heard of (from {@code container_status.executor_pid}). */
  List<Long> taskPids() {
    List<Long> pids = new ArrayList<>();
    for (TestScheduler s : schedulers) {
      synchronized (s) {
        for (Event e : s.all) {
          TaskStatus status = e.getUpdate().getStatus();
          if (e.getType() == Event.Type.UPDATE && status.getContainerStatus().hasExecutorPid()) {
            pids.add((long) status.getContainerStatus().getExecutorPid());
          }
        }
      }
    }
    return pids;
  }

  static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Override
  public void close() {
    List<Long> pids = taskPids();
    for (TestScheduler s : schedulers) s.close();
    cluster.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(pids.stream().filter(MesosHarness::alive).toList()).as("task processes left behind").isEmpty());
  }
}
