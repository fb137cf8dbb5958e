package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static mdo.devcluster.mesos.MesosHarness.ports;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DurationInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.KillPolicy;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent as a command executor: how processes end up in task states and messages, the environment a task sees,
 * kill grace periods, Mesos-run health checks, and container tasks when no engine answers.
 */
class AgentTasksTest {
  private static final Filters NO_FILTER = Filters.newBuilder().setRefuseSeconds(0).build();
  static MesosHarness h;
  TestScheduler s;

  @BeforeAll
  static void start() {
    // No container engine, whatever this machine has installed.
    h = MesosHarness.start(settings -> settings.withContainerEngines(
        List.of("/nonexistent/docker", "/nonexistent/podman")));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @AfterEach
  void disconnect() {
    if (s != null) s.close();
  }

  private TaskStatus run(TaskInfo.Builder task) {
    s.accept(offer(), NO_FILTER, task.build());
    return s.update(task.getTaskId().getValue());
  }

  /** Enough for every test here (fifty tasks of 0.05 cpus and 16 MB), whatever an earlier test still frees. */
  private Offer offer() {
    return s.offer(2.5, 800);
  }

  @Test
  void exitCodesBecomeFinishedOrFailedWithTheExecutorsMessage() throws Exception {
    s = h.subscribe(framework("exits").build());
    Offer offer = offer();
    Path out = h.dir.resolve("exec-form.txt");
    TaskInfo ok = commandTask(offer, "ok", "exit 0", 0.1, 32).build();
    TaskInfo bad = commandTask(offer, "bad", "exit 3", 0.1, 32).build();
    // shell=false: value is the program, arguments its argv (argv[0] first).
    TaskInfo exec = commandTask(offer, "exec", "", 0.1, 32).setCommand(CommandInfo.newBuilder().setShell(false)
        .setValue("/bin/sh").addArguments("sh").addArguments("-c").addArguments("echo \"$0\" > " + out)
        .addArguments("x")).build();
    s.accept(offer, NO_FILTER, ok, bad, exec);
    for (String id : new String[] {"ok", "bad", "exec"}) {
      s.ackUpdate(id, TaskState.TASK_STARTING);
      s.ackUpdate(id, TaskState.TASK_RUNNING);
    }
    TaskStatus finished = s.ackUpdate("ok", TaskState.TASK_FINISHED);
    assertThat(finished.getMessage()).isEqualTo("Command exited with status 0");
    assertThat(finished.getSource()).isEqualTo(TaskStatus.Source.SOURCE_EXECUTOR);
    assertThat(s.ackUpdate("bad", TaskState.TASK_FAILED).getMessage()).isEqualTo("Command exited with status 3");
    s.ackUpdate("exec", TaskState.TASK_FINISHED);
    assertThat(Files.readString(out).trim()).isEqualTo("x");
  }

  @Test
  void aTaskSeesTheExecutorEnvironmentAndOnlyWhatTheSchedulerAddedToIt() throws Exception {
    s = h.subscribe(framework("environment").build());
    Offer offer = offer();
    Path out = h.dir.resolve("env.txt");
    TaskInfo task = commandTask(offer, "env", "env > " + out + ".tmp && mv " + out + ".tmp " + out, 0.1, 32,
        "PORT_HTTP", "37010", "GREETING", "hello").addResources(ports(offer, 37010, 37010)).build();
    s.accept(offer, NO_FILTER, task);
    s.ackUpdate("env", TaskState.TASK_STARTING);
    s.ackUpdate("env", TaskState.TASK_RUNNING);
    s.ackUpdate("env", TaskState.TASK_FINISHED);
    String env = Files.readString(out);
    assertThat(env).contains("MESOS_FRAMEWORK_ID=" + s.frameworkId.getValue(), "MESOS_EXECUTOR_ID=env",
        "MESOS_SLAVE_ID=" + h.cluster.agentId().getValue(), "MESOS_CHECKPOINT=1", "MESOS_ALLOCATION_ROLE=mdo",
        "PORT_HTTP=37010", "GREETING=hello", "MESOS_SANDBOX=" + h.dir.resolve("tasks"));
    // A real agent sets no MESOS_TASK_ID, HOST or PORT0: a scheduler that forgets them must notice here too.
    assertThat(env).doesNotContain("MESOS_TASK_ID=", "\nHOST=", "PORT0=");
  }

  @Test
  void fiftyTasksInOneAcceptAllRunAndStop() {
    s = h.subscribe(framework("fifty").build());
    Offer offer = offer();
    TaskInfo[] tasks = new TaskInfo[50];
    for (int i = 0; i < tasks.length; i++) {
      tasks[i] = commandTask(offer, "many-" + i, "exec sleep 60", 0.05, 16).build();
    }
    long start = System.nanoTime();
    s.accept(offer, NO_FILTER, tasks);
    for (TaskInfo t : tasks) s.ackUpdate(t.getTaskId().getValue(), TaskState.TASK_STARTING);
    java.util.List<Long> pids = new java.util.ArrayList<>();
    for (TaskInfo t : tasks) {
      pids.add((long) s.ackUpdate(t.getTaskId().getValue(), TaskState.TASK_RUNNING).getContainerStatus()
          .getExecutorPid());
    }
    System.out.printf("50 tasks from ACCEPT to RUNNING acknowledged: %d ms%n",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
    assertThat(pids).hasSize(50).doesNotHaveDuplicates().allMatch(MesosHarness::alive);
    for (TaskInfo t : tasks) s.kill(t.getTaskId().getValue(), null);
    for (TaskInfo t : tasks) s.ackUpdate(t.getTaskId().getValue(), TaskState.TASK_KILLING);
    for (TaskInfo t : tasks) s.ackUpdate(t.getTaskId().getValue(), TaskState.TASK_KILLED);
    assertThat(pids).noneMatch(MesosHarness::alive);
  }

  @Test
  void aKillPolicyGivesTheTaskItsGracePeriodBeforeSigkill() {
    s = h.subscribe(framework("graceful").build());
    Offer offer = offer();
    // Ignores SIGTERM: only the SIGKILL after the grace period ends it.
    TaskInfo stubborn = commandTask(offer, "stubborn", "trap '' TERM; while true; do sleep 0.1; done", 0.1, 32)
        .setKillPolicy(KillPolicy.newBuilder().setGracePeriod(DurationInfo.newBuilder().setNanoseconds(800_000_000L)))
        .build();
    s.accept(offer, NO_FILTER, stubborn);
    s.ackUpdate("stubborn", TaskState.TASK_STARTING);
    s.ackUpdate("stubborn", TaskState.TASK_RUNNING);
    long start = System.nanoTime();
    s.kill("stubborn", null);
    s.ackUpdate("stubborn", TaskState.TASK_KILLING);
    TaskStatus killed = s.ackUpdate("stubborn", TaskState.TASK_KILLED);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    assertThat(killed.getMessage()).isEqualTo("Command terminated with signal Killed");
  }

  @Test
  void aCommandHealthCheckReportsHealthAndKillsAfterConsecutiveFailures() throws Exception {
    s = h.subscribe(framework("command-check").build());
    Offer offer = offer();
    TaskInfo task = commandTask(offer, "checked", "touch healthy && exec sleep 60", 0.1, 32)
        .setHealthCheck(HealthCheck.newBuilder().setType(HealthCheck.Type.COMMAND)
            .setCommand(CommandInfo.newBuilder().setValue("test -f healthy"))
            .setDelaySeconds(0).setIntervalSeconds(0.2).setGracePeriodSeconds(5).setTimeoutSeconds(5)
            .setConsecutiveFailures(2))
        .build();
    s.accept(offer, NO_FILTER, task);
    s.ackUpdate("checked", TaskState.TASK_STARTING);
    TaskStatus running = s.ackUpdate("checked", TaskState.TASK_RUNNING);
    TaskStatus healthy = s.ackUpdate("checked", TaskState.TASK_RUNNING);
    assertThat(healthy.getHealthy()).isTrue();
    assertThat(healthy.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_HEALTH_CHECK_STATUS_UPDATED);

    Path sandbox = h.dir.resolve("tasks").resolve(running.getContainerStatus().getContainerId().getValue());
    Files.delete(sandbox.resolve("healthy"));
    TaskStatus failing = s.ackUpdate("checked", TaskState.TASK_RUNNING);
    assertThat(failing.getHealthy()).isFalse();
    TaskStatus stillFailing = s.ackUpdate("checked", TaskState.TASK_RUNNING);
    assertThat(stillFailing.getHealthy()).isFalse();
    s.ackUpdate("checked", TaskState.TASK_KILLING);
    TaskStatus killed = s.ackUpdate("checked", TaskState.TASK_KILLED);
    assertThat(killed.hasHealthy()).isTrue();
    assertThat(killed.getHealthy()).isFalse();
  }

  @Test
  void httpAndTcpHealthChecksProbeThePortOnThisMachine() throws Exception {
    AtomicInteger status = new AtomicInteger(200);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", exchange -> {
      exchange.sendResponseHeaders(status.get(), -1);
      exchange.close();
    });
    server.start();
    try {
      int port = server.getAddress().getPort();
      s = h.subscribe(framework("http-check").build());
      Offer offer = offer();
      TaskInfo http = commandTask(offer, "http", "exec sleep 60", 0.1, 32).setHealthCheck(HealthCheck.newBuilder()
          .setType(HealthCheck.Type.HTTP).setHttp(HealthCheck.HTTPCheckInfo.newBuilder().setPort(port)
              .setPath("/health")).setDelaySeconds(0).setIntervalSeconds(0.2).setGracePeriodSeconds(0)
          .setConsecutiveFailures(50)).build();
      TaskInfo tcp = commandTask(offer, "tcp", "exec sleep 60", 0.1, 32).setHealthCheck(HealthCheck.newBuilder()
          .setType(HealthCheck.Type.TCP).setTcp(HealthCheck.TCPCheckInfo.newBuilder().setPort(port))
          .setDelaySeconds(0).setIntervalSeconds(0.2)).build();
      s.accept(offer, NO_FILTER, http, tcp);
      for (String id : new String[] {"http", "tcp"}) {
        s.ackUpdate(id, TaskState.TASK_STARTING);
        s.ackUpdate(id, TaskState.TASK_RUNNING);
        assertThat(s.ackUpdate(id, TaskState.TASK_RUNNING).getHealthy()).as(id).isTrue();
      }
      status.set(503);
      assertThat(s.ackUpdate("http", TaskState.TASK_RUNNING).getHealthy()).isFalse();
      status.set(200);
      TaskStatus recovered = s.ackUpdate("http", TaskState.TASK_RUNNING);
      while (!recovered.getHealthy()) recovered = s.ackUpdate("http", TaskState.TASK_RUNNING);
      assertThat(recovered.getHealthy()).isTrue();
      for (String id : new String[] {"http", "tcp"}) s.kill(id, null);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void containerTasksNeedAnEngineAndTheirPublishedPortsInTheirResources() {
    s = h.subscribe(framework("images").build());
    Offer offer = offer();
    ContainerInfo.Builder docker = ContainerInfo.newBuilder().setType(ContainerInfo.Type.DOCKER)
        .setDocker(ContainerInfo.DockerInfo.newBuilder().setImage("nginx:1.25")
            .setNetwork(ContainerInfo.DockerInfo.Network.BRIDGE));
    TaskInfo noEngine = commandTask(offer, "nginx", "", 0.1, 32).setCommand(CommandInfo.newBuilder().setShell(false))
        .setContainer(docker).addResources(ports(offer, 37020, 37020)).build();
    TaskInfo unpublishable = commandTask(offer, "unpublishable", "", 0.1, 32)
        .setCommand(CommandInfo.newBuilder().setShell(false))
        .setContainer(docker.clone().setDocker(docker.getDocker().toBuilder().addPortMappings(
            ContainerInfo.DockerInfo.PortMapping.newBuilder().setHostPort(37050).setContainerPort(80))))
        .addResources(ports(offer, 37021, 37021)).build();
    s.accept(offer, NO_FILTER, noEngine, unpublishable);
    TaskStatus failed = s.update("nginx", TaskState.TASK_FAILED);
    assertThat(failed.getReason()).isEqualTo(TaskStatus.Reason.REASON_CONTAINER_LAUNCH_FAILED);
    assertThat(failed.getSource()).isEqualTo(TaskStatus.Source.SOURCE_AGENT);
    assertThat(failed.getMessage()).startsWith("Failed to launch container: No container engine is reachable (")
        .contains("image 'nginx:1.25' cannot run");
    assertThat(failed.hasContainerStatus()).as("no process was started").isFalse();
    s.ack(failed);
    assertThat(s.update("unpublishable", TaskState.TASK_FAILED).getMessage())
        .isEqualTo("Failed to launch container: Port [37050] not included in resources");
  }
}
