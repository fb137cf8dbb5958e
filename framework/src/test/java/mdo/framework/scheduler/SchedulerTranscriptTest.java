package mdo.framework.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.Client;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import mdo.framework.desired.DesiredService;
import mdo.framework.state.FrameworkTask;
import mdo.framework.state.StateStore;
import mdo.mesos.InMemoryFrameworkIdStore;
import mdo.mesos.MesosPayloads;
import mdo.mesos.MesosSettings;
import mdo.mesos.SchedulerConnection;
import mdo.mesos.StubMaster;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.testkit.EtcdServer;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's calls, transcript style, against the strict stub master (recorded payloads, the master's checks)
 * with a real etcd: what it ACCEPTs, DECLINEs, KILLs and ACKNOWLEDGEs for the events the dev cluster's master cannot
 * be made to send (TASK_LOST for partition-unaware reasons, updates of tasks it never launched, a takeover's ERROR).
 */
class SchedulerTranscriptTest {
  static final EtcdServer ETCD = EtcdServer.shared();
  static final AtomicInteger ENVS = new AtomicInteger();

  final String env = "transcript" + ENVS.incrementAndGet();
  StubMaster master;
  Client etcd;
  RegistryWriter writer;
  Scheduler scheduler;
  SchedulerConnection connection;

  @BeforeEach
  void start() throws Exception {
    master = new StubMaster().start();
    etcd = Etcd.client(EtcdSettings.of(ETCD.endpoint()));
    Duration timeout = Duration.ofSeconds(5);
    StateStore store = new StateStore(etcd.getKVClient(), env, timeout, null);
    writer = new RegistryWriter(env, new EtcdRegistryStore(etcd.getKVClient(), timeout),
        new FrameworkClusterView(env, () -> scheduler.snapshot()), timeout, null);
    SchedulerSettings settings = SchedulerSettings.defaults(Duration.ofMinutes(5))
        .withTimers(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMillis(50));
    scheduler = new Scheduler(env, settings, store, writer,
        new SchedulerMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)), Clock.systemUTC(),
        appId -> { });
    connection = new SchedulerConnection(MesosSettings.of(master.base())
        .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(200)),
        new InMemoryFrameworkIdStore(), scheduler);
    scheduler.start(connection);
    connection.start();
    master.next(Call.Type.SUBSCRIBE);
  }

  @AfterEach
  void stop() throws Exception {
    connection.close();
    scheduler.close();
    writer.close();
    etcd.close();
    master.close();
  }

  DesiredService web(int instances) {
    MdoConfig cfg = ConfigLoader.parse(Path.of("config.yaml"), """
        environment: %s
        services:
          web:
            cmd: python3 -m http.server $PORT_HTTP
            network: host
            ports: {http: 0}
            cpus: 0.5
            mem: 128
        """.formatted(env), Map.of());
    ServiceDefinition d = ServiceDefinition.of(cfg, cfg.service("web"));
    d = d.withInstances(instances);
    return new DesiredService(d, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z", "deploy-1",
        List.of(10000));
  }

  /** The recorded offer, as an offer of {@code agent} with id {@code id}. */
  static Offer offer(String id, String agent) {
    Offer recorded = MesosPayloads.offerWithAgentResources();
    return recorded.toBuilder().setId(OfferID.newBuilder().setValue(id))
        .setAgentId(AgentID.newBuilder().setValue(agent)).setHostname(agent + ".example").build();
  }

  /** An offer of {@code agent} with the recorded offer's scalars and no ports (another part of the agent). */
  static Offer scalarsOnly(String id, String agent) {
    Offer o = offer(id, agent);
    return o.toBuilder().clearResources().addAllResources(o.getResourcesList().stream()
        .filter(r -> !r.getName().equals("ports")).toList()).build();
  }

  /** An offer of {@code agent} with room for exactly one web task (0.5 cpus, 200 MB, the recorded ports). */
  static Offer oneTaskOnly(String id, String agent) {
    Offer o = offer(id, agent);
    Offer.Builder b = o.toBuilder().clearResources();
    for (org.apache.mesos.v1.Protos.Resource r : o.getResourcesList()) {
      double amount = switch (r.getName()) {
        case "cpus" -> 0.5;
        case "mem" -> 200;
        default -> -1;
      };
      b.addResources(amount < 0 ? r : r.toBuilder().setScalar(r.getScalar().toBuilder().setValue(amount)).build());
    }
    return b.build();
  }

  static Event offers(Offer... offers) {
    return Event.newBuilder().setType(Event.Type.OFFERS)
        .setOffers(Event.Offers.newBuilder().addAllOffers(List.of(offers))).build();
  }

  static Event update(String taskId, String agent, TaskState state, TaskStatus.Reason reason, ByteString uuid) {
    TaskStatus.Builder status = TaskStatus.newBuilder().setTaskId(TaskID.newBuilder().setValue(taskId))
        .setAgentId(AgentID.newBuilder().setValue(agent)).setState(state)
        .setSource(TaskStatus.Source.SOURCE_EXECUTOR).setTimestamp(System.currentTimeMillis() / 1000.0);
    if (reason != null) status.setReason(reason);
    if (uuid != null) status.setUuid(uuid);
    return Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(status)).build();
  }

  static ByteString uuid() {
    UUID u = UUID.randomUUID();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16).putLong(u.getMostSignificantBits())
        .putLong(u.getLeastSignificantBits());
    return ByteString.copyFrom(b.array());
  }

  /** Launches {@code web} with {@code instances} on agent a1; returns the launched task infos. */
  List<TaskInfo> launch(int instances) throws Exception {
    scheduler.desiredListing(Map.of("web", web(instances)), Set.of());
    master.next(Call.Type.REVIVE);
    master.emit(offers(offer("o1", "a1")));
    Call accept = master.next(Call.Type.ACCEPT).call();
    return accept.getAccept().getOperations(0).getLaunch().getTaskInfosList();
  }

  FrameworkTask record(String taskId) {
    return scheduler.snapshot().tasks().stream().filter(t -> t.taskId().equals(taskId)).findFirst().orElse(null);
  }

  @Test
  void oneAcceptPerAgentNamingAllItsOffersThenSuppressed() throws Exception {
    scheduler.desiredListing(Map.of("web", web(2)), Set.of());
    master.next(Call.Type.REVIVE);

    // a2 has room for one task: the first goes there (best fit), the second to a1, whose two offers one ACCEPT names
    master.emit(offers(offer("o1", "a1"), oneTaskOnly("o2", "a2"), scalarsOnly("o3", "a1")));

    Call first = master.next(Call.Type.ACCEPT).call();
    Call second = master.next(Call.Type.ACCEPT).call();
    assertThat(first.getAccept().getOfferIdsList()).extracting(OfferID::getValue).containsExactly("o1", "o3");
    assertThat(second.getAccept().getOfferIdsList()).extracting(OfferID::getValue).containsExactly("o2");
    for (Call accept : List.of(first, second)) {
      assertThat(accept.getAccept().getOperationsList()).singleElement().satisfies(op ->
          assertThat(op.getLaunch().getTaskInfosList()).singleElement().satisfies(t -> assertThat(t.getAgentId())
              .isEqualTo(accept == first ? AgentID.newBuilder().setValue("a1").build()
                  : AgentID.newBuilder().setValue("a2").build())));
      assertThat(accept.getAccept().getFilters().getRefuseSeconds()).isEqualTo(120);
    }
    master.next(Call.Type.SUPPRESS);
    assertThat(master.received()).extracting(r -> r.call() == null ? null : r.call().getType())
        .doesNotContain(Call.Type.DECLINE);
    // the records were written before the ACCEPTs
    assertThat(scheduler.snapshot().tasks()).hasSize(2);
  }

  @Test
  void offersNothingFitsAreDeclinedForLong() throws Exception {
    scheduler.desiredListing(Map.of("web", web(1)), Set.of());
    master.next(Call.Type.REVIVE);

    master.emit(offers(scalarsOnly("o1", "a1")));

    Call decline = master.next(Call.Type.DECLINE).call();
    assertThat(decline.getDecline().getOfferIdsList()).extracting(OfferID::getValue).containsExactly("o1");
    assertThat(decline.getDecline().getFilters().getRefuseSeconds()).isEqualTo(120);
    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.snapshot().progress().containsKey("web"));
    assertThat(scheduler.snapshot().progress().get("web").pendingReason())
        .isEqualTo("not enough free ports: needs 1, largest offer 0 (1 agent)");
  }

  @Test
  void updatesAreAcknowledgedExactlyWhenTheyCarryAUuid() throws Exception {
    String task = launch(1).get(0).getTaskId().getValue();
    ByteString uuid = uuid();

    master.emit(update(task, "a1", TaskState.TASK_RUNNING, null, uuid));
    Call ack = master.next(Call.Type.ACKNOWLEDGE).call();
    assertThat(ack.getAcknowledge().getUuid()).isEqualTo(uuid);
    assertThat(ack.getAcknowledge().getTaskId().getValue()).isEqualTo(task);
    assertThat(ack.getAcknowledge().getAgentId().getValue()).isEqualTo("a1");

    // a reconciliation answer carries none: nothing is sent for it, and the next acknowledgement is the next uuid's
    master.emit(update(task, "a1", TaskState.TASK_RUNNING, TaskStatus.Reason.REASON_RECONCILIATION, null));
    ByteString second = uuid();
    master.emit(update(task, "a1", TaskState.TASK_RUNNING, null, second));
    assertThat(master.next(Call.Type.ACKNOWLEDGE).call().getAcknowledge().getUuid()).isEqualTo(second);
    await().atMost(Duration.ofSeconds(10)).until(() -> writer.records().stream()
        .anyMatch(r -> r.taskId().equals(task) && r.state().equals("TASK_RUNNING")));
  }

  @Test
  void aTaskTheSchedulerNeverLaunchedIsKilled() throws Exception {
    launch(1);
    String stranger = env + "_web.instance-00000000-0000-4000-8000-00000000beef._app.1";
    ByteString uuid = uuid();

    master.emit(update(stranger, "a9", TaskState.TASK_RUNNING, null, uuid));

    Call kill = master.next(Call.Type.KILL).call();
    assertThat(kill.getKill().getTaskId().getValue()).isEqualTo(stranger);
    assertThat(kill.getKill().getAgentId().getValue()).isEqualTo("a9");
    assertThat(master.next(Call.Type.ACKNOWLEDGE).call().getAcknowledge().getUuid()).isEqualTo(uuid);
    assertThat(record(stranger)).isNull();
  }

  @Test
  void taskLostIsReadAsMarathonReadsIt() throws Exception {
    List<TaskInfo> launched = launch(2);
    String mayComeBack = launched.get(0).getTaskId().getValue();
    String gone = launched.get(1).getTaskId().getValue();
    for (TaskInfo t : launched) {
      master.emit(update(t.getTaskId().getValue(), "a1", TaskState.TASK_RUNNING, null, null));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> writer.records().size() == 2);

    master.emit(update(mayComeBack, "a1", TaskState.TASK_LOST, TaskStatus.Reason.REASON_AGENT_DISCONNECTED, null));
    master.emit(update(gone, "a1", TaskState.TASK_LOST, TaskStatus.Reason.REASON_INVALID_OFFERS, null));

    // the agent may come back: the task still counts, its record unhealthy; the other is gone and relaunched as the
    // same instance, next incarnation
    master.next(Call.Type.REVIVE);
    master.emit(offers(offer("o9", "a1")));
    List<TaskInfo> relaunched = master.next(Call.Type.ACCEPT).call().getAccept().getOperations(0).getLaunch()
        .getTaskInfosList();
    assertThat(relaunched).singleElement().satisfies(t -> assertThat(t.getTaskId().getValue())
        .isEqualTo(gone.substring(0, gone.lastIndexOf('.') + 1) + "2"));
    assertThat(record(mayComeBack).unreachable()).isTrue();
    assertThat(record(gone)).isNull();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(writer.records())
        .filteredOn(r -> r.taskId().equals(mayComeBack)).singleElement()
        .satisfies(r -> assertThat(r.ready()).isFalse()));
    assertThat(writer.records()).extracting(InstanceRecord::taskId).doesNotContain(gone);
  }

  /** The recorded offer of agent a1 with the given port range instead of the recorded ones. */
  static Offer withPorts(String id, long begin, long end) {
    Offer o = offer(id, "a1");
    Offer.Builder b = o.toBuilder().clearResources();
    for (org.apache.mesos.v1.Protos.Resource r : o.getResourcesList()) {
      b.addResources(!r.getName().equals("ports") ? r : r.toBuilder().setRanges(
          org.apache.mesos.v1.Protos.Value.Ranges.newBuilder().addRange(
              org.apache.mesos.v1.Protos.Value.Range.newBuilder().setBegin(begin).setEnd(end))).build());
    }
    return b.build();
  }

  @Test
  void anImageUpdateWithAFixedPortKillsTheOldTaskBeforeLaunchingTheNewImage() throws Exception {
    MdoConfig cfg = ConfigLoader.parse(Path.of("config.yaml"), """
        environment: %s
        etcd: {endpoints: ["%s"]}
        services:
          cassandra: {image: "cassandra:3.11", ports-hard: {native: 21000}, cpus: 0.5, mem: 128}
        """.formatted(env, ETCD.endpoint()), Map.of());
    DesiredWatch watch = new DesiredWatch(etcd, new mdo.framework.desired.DesiredStateStore(etcd.getKVClient(), env,
        Duration.ofSeconds(5)), scheduler, Duration.ofSeconds(30));
    watch.start();
    try (mdo.cluster.ClusterBackend backend = new mdo.framework.backend.FrameworkBackend.Provider().open(cfg,
        Duration.ofMillis(50))) {
      backend.create(ServiceDefinition.of(cfg, cfg.service("cassandra")));
      master.next(Call.Type.REVIVE);
      master.emit(offers(withPorts("o1", 21000, 21010)));
      TaskInfo old = master.next(Call.Type.ACCEPT).call().getAccept().getOperations(0).getLaunch().getTaskInfos(0);
      assertThat(old.getContainer().getDocker().getImage()).isEqualTo("cassandra:3.11");
      master.emit(update(old.getTaskId().getValue(), "a1", TaskState.TASK_RUNNING, null, uuid()));
      await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.snapshot().progress().containsKey("cassandra")
          && scheduler.snapshot().progress().get("cassandra").done());

      backend.find("/" + env + "/cassandra").orElseThrow().change(null, "cassandra:4.0", false);

      // the agent's port 21000 is the old task's: the new one cannot start beside it, so the old one goes first
      master.next(Call.Type.REVIVE);
      master.emit(offers(withPorts("o2", 21001, 21010)));
      master.next(Call.Type.DECLINE);
      Call kill = master.next(Call.Type.KILL).call();
      assertThat(kill.getKill().getTaskId()).isEqualTo(old.getTaskId());
      assertThat(master.received()).extracting(r -> r.call() == null ? null : r.call().getType())
          .containsOnlyOnce(Call.Type.ACCEPT);
      master.emit(update(old.getTaskId().getValue(), "a1", TaskState.TASK_KILLED, null, uuid()));
      master.emit(offers(withPorts("o3", 21000, 21010)));
      TaskInfo replacement = master.next(Call.Type.ACCEPT).call().getAccept().getOperations(0).getLaunch()
          .getTaskInfos(0);
      assertThat(replacement.getContainer().getDocker().getImage()).isEqualTo("cassandra:4.0");
      assertThat(replacement.getContainer().getDocker().getPortMappings(0).getHostPort()).isEqualTo(21000);
      assertThat(replacement.getTaskId()).isNotEqualTo(old.getTaskId());
    } finally {
      watch.close();
    }
  }

  @Test
  void anotherSchedulerTakingTheFrameworkOverStopsThisOneForGood() throws Exception {
    master.emit(MesosPayloads.error("Framework failed over"));

    await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.failed() != null);
    assertThat(scheduler.failed()).contains("Framework failed over");
    assertThat(scheduler.snapshot().subscribed()).isFalse();
    assertThat(connection.status().state()).as("no re-subscription, which would take the framework back")
        .isEqualTo(mdo.mesos.ConnectionStatus.State.FAILED);
  }
}
