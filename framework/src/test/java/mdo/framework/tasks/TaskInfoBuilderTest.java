package mdo.framework.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.HealthSpec;
import mdo.config.MdoConfig;
import mdo.config.ServiceSpec;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.ServicePorts;
import mdo.guestutils.GuestEnv;
import mdo.mesos.JsonCodec;
import mdo.mesos.MesosPayloads;
import mdo.mesos.ProtobufCodec;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.ContainerInfo;
import org.apache.mesos.v1.Protos.DiscoveryInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Label;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Port;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.Protos.Volume;
import org.junit.jupiter.api.Test;

class TaskInfoBuilderTest {
  private static final String CONFIG = """
      environment: prod
      etcd: {endpoints: [http://10.0.0.5:2379, http://10.0.0.6:2379]}
      subscriber: {host: 10.0.0.5, port: 5000}
      services:
        cassandra:
          image: cassandra:4.1
          ports:
            storage: 7000
            jmx: 7199/udp
          ports-hard:
            native: 30001
          cpus: 0.5
          mem: 1024
          environment: {MAX_HEAP_SIZE: 512M, PORT_JMX: "override"}
          labels: {team: data}
          volumes:
            - {container: /var/lib/cassandra, host: /data/cassandra, mode: RW}
            - {container: /etc/c, host: /etc/c, mode: RO}
          health: {protocol: http, port: storage, path: /health, grace: 45s, interval: 5s, timeout: 2s, max-failures: 4}
        web:
          image: nginx:1.25
          network: host
          ports: {http: 8080}
          health: {protocol: tcp, port: http}
        worker:
          cmd: "python3 -m http.server $PORT0"
          ports: {http: 8000}
          cpus: 0.1
          mem: 64
          health: {protocol: command, command: "test -f /tmp/ready"}
        tool:
          args: [/usr/bin/tool, --serve, "--port=8000"]
          cpus: 0.1
        entry:
          image: busybox
          args: [sh, -c, "sleep 1000"]
        plain:
          image: busybox
      """;
  private static final String VERSION = "2026-12-01T10:00:00.000Z";
  private static final MdoConfig MDO = ConfigLoader.parse(Path.of("config.yaml"), CONFIG, Map.of());

  private static TaskInfo build(String service, OfferedResources offered) throws ResourceShortfallException {
    return build(MDO.service(service), offered);
  }

  private static TaskInfo build(ServiceSpec spec, OfferedResources offered) throws ResourceShortfallException {
    return TaskInfoBuilder.build(desired(ServiceDefinition.of(MDO, spec)), MesosTaskId.newInstance("prod",
        spec.name()), offered);
  }

  /** The definition as the framework launches it: at {@link #VERSION}, with service ports assigned as Marathon does. */
  private static DesiredService desired(ServiceDefinition d) {
    return new DesiredService(d, VERSION, VERSION, "deployment", ServicePorts.assign(d, List.of(), List.of()));
  }

  @Test
  void aBridgeDockerTaskMapsOfferedHostPortsAndHasTheRecordedAcceptShape() throws Exception {
    Offer offer = MesosPayloads.offerWithAgentResources();
    TaskInfo task = build("cassandra", new OfferedResources(List.of(offer)));

    assertThat(task.getName()).isEqualTo("cassandra.prod");
    assertThat(MesosTaskId.parse(task.getTaskId().getValue())).get()
        .extracting(MesosTaskId::environment, MesosTaskId::service).containsExactly("prod", "cassandra");
    assertThat(task.getAgentId()).isEqualTo(offer.getAgentId());
    ContainerInfo container = task.getContainer();
    assertThat(container.getType()).isEqualTo(ContainerInfo.Type.DOCKER);
    assertThat(container.getDocker().getImage()).isEqualTo("cassandra:4.1");
    assertThat(container.getDocker().getNetwork()).isEqualTo(ContainerInfo.DockerInfo.Network.BRIDGE);
    assertThat(container.getDocker().getPortMappingsList())
        .extracting(m -> m.getHostPort() + "->" + m.getContainerPort() + "/" + m.getProtocol())
        .containsExactly("21000->7000/tcp", "21001->7199/udp", "30001->30001/tcp");
    assertThat(container.getDocker().getParametersList()).extracting(p -> p.getKey() + "=" + p.getValue())
        .containsExactly("label=MESOS_TASK_ID=" + task.getTaskId().getValue());
    assertThat(container.getVolumesList()).extracting(Volume::getContainerPath, Volume::getHostPath, Volume::getMode)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("/var/lib/cassandra", "/data/cassandra", Volume.Mode.RW),
            org.assertj.core.groups.Tuple.tuple("/etc/c", "/etc/c", Volume.Mode.RO));
    // the Docker containerizer refuses a host port outside the task's own ports resource (docker.cpp)
    Set<Long> taskPorts = portsOf(task);
    assertThat(container.getDocker().getPortMappingsList())
        .allSatisfy(m -> assertThat(taskPorts).contains((long) m.getHostPort()));
    assertThat(task.getCommand().getShell()).isFalse();
    assertThat(task.getCommand().hasValue()).isFalse(); // the image's own command

    // the resources keep the offer's identity, shaped like the recorded ACCEPT's task resources
    Map<String, Resource> byName = task.getResourcesList().stream()
        .collect(Collectors.toMap(Resource::getName, r -> r));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("cpus", "mem", "ports");
    assertThat(byName.get("cpus").getScalar().getValue()).isEqualTo(0.5);
    assertThat(byName.get("mem").getScalar().getValue()).isEqualTo(1024.0);
    Resource recordedCpus = MesosPayloads.acceptCall().getAccept().getOperations(0).getLaunch().getTaskInfos(0)
        .getResources(0);
    assertThat(fields(byName.get("cpus"))).isEqualTo(fields(recordedCpus));
    assertThat(byName.get("cpus").getAllocationInfo()).isEqualTo(offer.getAllocationInfo());
    assertThat(byName.get("ports").getRole()).isEqualTo("*");

    assertThat(task.getDiscovery().getVisibility()).isEqualTo(DiscoveryInfo.Visibility.FRAMEWORK);
    assertThat(task.getDiscovery().getName()).isEqualTo("cassandra");
    assertThat(task.getDiscovery().getEnvironment()).isEqualTo("prod");
    assertThat(task.getDiscovery().getPorts().getPortsList())
        .extracting(Port::getName, Port::getNumber, Port::getProtocol)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("storage", 21000, "tcp"),
            org.assertj.core.groups.Tuple.tuple("jmx", 21001, "udp"),
            org.assertj.core.groups.Tuple.tuple("native", 30001, "tcp"));

    HealthCheck health = task.getHealthCheck();
    assertThat(health.getType()).isEqualTo(HealthCheck.Type.HTTP);
    assertThat(health.getHttp().getScheme()).isEqualTo("http");
    assertThat(health.getHttp().getPort()).isEqualTo(7000); // the agent probes inside the container's namespace
    assertThat(health.getHttp().getPath()).isEqualTo("/health");
    assertThat(health.getGracePeriodSeconds()).isEqualTo(45.0);
    assertThat(health.getIntervalSeconds()).isEqualTo(5.0);
    assertThat(health.getDelaySeconds()).as("the first check after the delay config.yaml gives, not Mesos' 15 s")
        .isEqualTo(HealthSpec.DEFAULT_DELAY.toSeconds());
    assertThat(health.getTimeoutSeconds()).isEqualTo(2.0);
    assertThat(health.getConsecutiveFailures()).isEqualTo(4);

    assertThat(task.getLabels().getLabelsList()).extracting(Label::getKey, Label::getValue)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("team", "data"),
            org.assertj.core.groups.Tuple.tuple("MDO_SERVICE", "cassandra"),
            org.assertj.core.groups.Tuple.tuple("MDO_ENVIRONMENT", "prod"));
    assertSurvivesTheWire(task);
  }

  @Test
  void theEnvironmentIsMarathonsPlusMdosAndGuestutilsReadsItUnchanged() throws Exception {
    TaskInfo task = build("cassandra", new OfferedResources(List.of(MesosPayloads.offerWithAgentResources())));
    Map<String, String> env = env(task);
    assertThat(env).containsEntry("HOST", "agent.host")
        .containsEntry("PORT0", "21000").containsEntry("PORT1", "21001").containsEntry("PORT2", "30001")
        .containsEntry("PORT", "21000").containsEntry("PORTS", "21000,21001,30001")
        .containsEntry("PORT_STORAGE", "21000").containsEntry("PORT_NATIVE", "30001")
        .containsEntry("PORT_7000", "21000").containsEntry("PORT_7199", "21001").containsEntry("PORT_30001", "30001")
        .containsEntry("MESOS_TASK_ID", task.getTaskId().getValue())
        .containsEntry("ETCD_ENDPOINTS", "http://10.0.0.5:2379,http://10.0.0.6:2379")
        .containsEntry("ETCD_HOST_ADDRESS", "10.0.0.5:2379")
        .containsEntry("MDO_ENVIRONMENT", "prod").containsEntry("SERVICE_NAME", "cassandra")
        .containsEntry("SUBSCRIBER_URL", "http://10.0.0.5:5000")
        .containsEntry("MAX_HEAP_SIZE", "512M")
        .containsEntry("PORT_JMX", "override") // the service's own environment wins, as in Marathon
        .containsEntry("MARATHON_APP_ID", "/prod/cassandra").containsEntry("MARATHON_APP_VERSION", VERSION)
        .containsEntry("MARATHON_APP_DOCKER_IMAGE", "cassandra:4.1")
        .containsEntry("MARATHON_APP_RESOURCE_CPUS", "0.5").containsEntry("MARATHON_APP_RESOURCE_MEM", "1024.0")
        .containsEntry("MARATHON_APP_RESOURCE_DISK", "0.0").containsEntry("MARATHON_APP_RESOURCE_GPUS", "0")
        .containsEntry("MARATHON_APP_LABELS", "TEAM MDO_SERVICE MDO_ENVIRONMENT")
        .containsEntry("MARATHON_APP_LABEL_TEAM", "data").containsEntry("MARATHON_APP_LABEL_MDO_SERVICE", "cassandra");
    assertThat(task.getCommand().getEnvironment().getVariablesList()).extracting(v -> v.getName())
        .doesNotHaveDuplicates();

    GuestEnv guest = new GuestEnv(env);
    assertThat(guest.taskId()).isEqualTo(task.getTaskId().getValue());
    assertThat(guest.serviceName()).isEqualTo("cassandra");
    assertThat(guest.environmentName()).isEqualTo("prod");
    assertThat(guest.hostAddress()).isEqualTo("agent.host");
    assertThat(guest.marathonPort("storage")).isEqualTo(21000);
    assertThat(guest.marathonPort("native")).isEqualTo(30001);
    assertThat(guest.isSelf("cassandra", task.getTaskId().getValue())).isTrue();
  }

  @Test
  void hostNetworkingGivesHostPortsWithoutMappingsAndChecksTheHostPort() throws Exception {
    TaskInfo task = build("web", new OfferedResources(List.of(MesosPayloads.offerWithAgentResources())));
    ContainerInfo.DockerInfo docker = task.getContainer().getDocker();
    assertThat(docker.getNetwork()).isEqualTo(ContainerInfo.DockerInfo.Network.HOST);
    assertThat(docker.getPortMappingsList()).isEmpty();
    assertThat(portsOf(task)).containsExactly(21000L);
    // Marathon keys a port definition's variable by its port, the service port under requirePorts false
    assertThat(env(task)).containsEntry("PORT_HTTP", "21000").containsEntry("PORT_8080", "21000")
        .doesNotContainKey("PORT_21000");
    assertThat(task.getHealthCheck().getType()).isEqualTo(HealthCheck.Type.TCP);
    assertThat(task.getHealthCheck().getTcp().getPort()).isEqualTo(21000);
    assertSurvivesTheWire(task);
  }

  @Test
  void aPlainCommandRunsInTheMesosContainerizerUnderAShell() throws Exception {
    TaskInfo task = build("worker", new OfferedResources(List.of(MesosPayloads.offerWithAgentResources())));
    assertThat(task.getContainer().getType()).isEqualTo(ContainerInfo.Type.MESOS);
    assertThat(task.getContainer().hasDocker()).isFalse();
    CommandInfo command = task.getCommand();
    assertThat(command.getShell()).isTrue();
    assertThat(command.getValue()).isEqualTo("python3 -m http.server $PORT0");
    assertThat(env(task)).containsEntry("PORT0", "21000");
    assertThat(task.getHealthCheck().getType()).isEqualTo(HealthCheck.Type.COMMAND);
    assertThat(task.getHealthCheck().getCommand().getValue()).isEqualTo("test -f /tmp/ready");
    assertSurvivesTheWire(task);
  }

  @Test
  void argsAreExecedWithoutAShellOrGivenToTheImagesEntrypoint() throws Exception {
    OfferedResources offered = new OfferedResources(List.of(MesosPayloads.offerWithAgentResources()));
    CommandInfo tool = build("tool", offered).getCommand();
    assertThat(tool.getShell()).isFalse();
    assertThat(tool.getValue()).isEqualTo("/usr/bin/tool");
    assertThat(tool.getArgumentsList()).containsExactly("/usr/bin/tool", "--serve", "--port=8000");
    CommandInfo entry = build("entry", offered).getCommand();
    assertThat(entry.getShell()).isFalse();
    assertThat(entry.hasValue()).isFalse();
    assertThat(entry.getArgumentsList()).containsExactly("sh", "-c", "sleep 1000");
    TaskInfo plain = build("plain", offered);
    assertThat(plain.getCommand().getShell()).isFalse();
    assertThat(plain.getCommand().getArgumentsList()).isEmpty();
    assertThat(plain.getResourcesList()).extracting(Resource::getName).containsExactly("cpus", "mem");
  }

  @Test
  void tasksCarvedFromOneOfferNeverShareAPortOrExceedItsResources() throws Exception {
    Offer offer = MesosPayloads.offerWithAgentResources();
    OfferedResources offered = new OfferedResources(List.of(offer));
    ServiceSpec cassandra = MDO.service("cassandra");
    ServiceSpec noHardPort = new ServiceSpec("cassandra", cassandra.image(), null, null,
        cassandra.ports().subList(0, 2), 1, 0.5, 1024, Map.of(), Map.of(), List.of(), List.of(), null,
        ServiceSpec.Network.BRIDGE, ServiceSpec.MarathonFormat.V1_5, null);
    Set<Long> used = new HashSet<>();
    int launched = 0;
    while (true) {
      try {
        TaskInfo task = build(noHardPort, offered);
        for (long port : portsOf(task)) assertThat(used.add(port)).as("port %d handed out twice", port).isTrue();
        launched++;
      } catch (ResourceShortfallException e) {
        assertThat(e.getMessage()).isEqualTo("needs 1024 MB mem, agent agent.host has 0 MB left in its offers");
        break;
      }
    }
    assertThat(launched).isEqualTo(24); // 24576 MB of memory, 1024 each; cpus (24) and ports last longer
    assertThat(offered.remaining("mem")).isZero();
    assertThat(offered.remaining("cpus")).isEqualTo(12.0);
  }

  @Test
  void aHardPortServesOneInstancePerAgentAndOneNotOfferedIsAPendingReason() throws Exception {
    OfferedResources offered = new OfferedResources(List.of(MesosPayloads.offerWithAgentResources()));
    build("cassandra", offered);
    double cpus = offered.remaining("cpus");
    assertThatThrownBy(() -> build("cassandra", offered)).isInstanceOf(ResourceShortfallException.class)
        .hasMessage("port 30001 (native) is not free on agent agent.host");
    assertThat(offered.remaining("cpus")).isEqualTo(cpus); // all or nothing

    ServiceSpec c = MDO.service("cassandra");
    ServiceSpec cql = new ServiceSpec("cassandra", c.image(), null, null,
        List.of(new mdo.config.PortSpec("native", 9042, true, "tcp")), 1, 0.5, 512, Map.of(), Map.of(), List.of(),
        List.of(), null, ServiceSpec.Network.BRIDGE, ServiceSpec.MarathonFormat.V1_5, null);
    assertThatThrownBy(() -> build(cql, new OfferedResources(List.of(MesosPayloads.offerWithAgentResources()))))
        .hasMessage("port 9042 (native) is not free on agent agent.host"); // outside 21000-24000,30000-34000
  }

  @Test
  void hostPortsChosenByThePlacementAreTheOnesClaimedAndMapped() throws Exception {
    ServiceDefinition cassandra = ServiceDefinition.of(MDO, MDO.service("cassandra"));
    OfferedResources offered = new OfferedResources(List.of(MesosPayloads.offerWithAgentResources()));
    TaskInfo task = TaskInfoBuilder.build(desired(cassandra), MesosTaskId.newInstance("prod", "cassandra"), offered,
        List.of(23999, 31234, 30001));
    assertThat(task.getContainer().getDocker().getPortMappingsList())
        .extracting(m -> m.getHostPort() + "->" + m.getContainerPort())
        .containsExactly("23999->7000", "31234->7199", "30001->30001");
    assertThat(portsOf(task)).containsExactlyInAnyOrder(23999L, 31234L, 30001L);
    assertThat(env(task)).containsEntry("PORT_STORAGE", "23999").containsEntry("PORT_7000", "23999");

    assertThatThrownBy(() -> TaskInfoBuilder.build(desired(cassandra), MesosTaskId.newInstance("prod", "cassandra"), offered,
        List.of(23999, 21000, 30002))).isInstanceOf(ResourceShortfallException.class)
        .hasMessage("port 23999 (storage) is not free on agent agent.host"); // taken by the first task
    assertThatThrownBy(() -> TaskInfoBuilder.build(desired(cassandra), MesosTaskId.newInstance("prod", "cassandra"), offered,
        List.of(21000))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 3 ports, placed 1");
  }

  @Test
  void fractionalCpusAddUpExactlyAsMesosCountsThem() throws Exception {
    Offer recorded = MesosPayloads.offerWithAgentResources();
    Resource cpus = recorded.getResourcesList().stream().filter(r -> r.getName().equals("cpus")).findFirst()
        .orElseThrow().toBuilder().setScalar(Value.Scalar.newBuilder().setValue(1.0)).build();
    Resource mem = recorded.getResourcesList().stream().filter(r -> r.getName().equals("mem")).findFirst()
        .orElseThrow();
    OfferedResources offered = new OfferedResources(List.of(withResources("O-1", List.of(cpus, mem))));
    for (int i = 0; i < 10; i++) offered.claim(0.1, 1, List.of()); // 1.0 - 10 x 0.1 is not 0 in doubles
    assertThat(offered.remaining("cpus")).isZero();
    assertThatThrownBy(() -> offered.claim(0.1, 1, List.of())).isInstanceOf(ResourceShortfallException.class)
        .hasMessage("needs 0.1 cpus, agent agent.host has 0 left in its offers");
  }

  @Test
  void offersOfOneAgentArePooledAndOffersOfTwoAgentsRefused() throws Exception {
    Offer offer = MesosPayloads.offerWithAgentResources();
    Resource ports = offer.getResourcesList().stream().filter(r -> r.getName().equals("ports")).findFirst()
        .orElseThrow().toBuilder().setRanges(Value.Ranges.newBuilder()
            .addRange(Value.Range.newBuilder().setBegin(31000).setEnd(31000))).build();
    Resource cpus = offer.getResources(0).toBuilder().setScalar(Value.Scalar.newBuilder().setValue(0.2)).build();
    OfferedResources pooled = new OfferedResources(List.of(withResources("O-1", List.of(cpus, ports)),
        withResources("O-2", List.of(cpus, offer.getResources(2)))));
    assertThat(pooled.offerIds()).extracting(o -> o.getValue()).containsExactly("O-1", "O-2");
    OfferedResources.Claim claim = pooled.claim(0.3, 100, ServiceDefinition.of(MDO, MDO.service("web")).ports());
    assertThat(claim.hostPorts()).containsExactly(31000);
    assertThat(claim.resources()).extracting(Resource::getName).containsExactly("cpus", "cpus", "mem", "ports");

    Offer elsewhere = offer.toBuilder().setAgentId(offer.getAgentId().toBuilder().setValue("other-agent")).build();
    assertThatThrownBy(() -> new OfferedResources(List.of(offer, elsewhere)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must come from one agent");
  }

  /** The recorded offer with other resources (recorded shapes, other quantities) and another id. */
  private static Offer withResources(String id, List<Resource> resources) {
    Offer recorded = MesosPayloads.offerWithAgentResources();
    return recorded.toBuilder().setId(recorded.getId().toBuilder().setValue(id)).clearResources()
        .addAllResources(resources).build();
  }

  static Set<Long> portsOf(TaskInfo task) {
    Set<Long> ports = new HashSet<>();
    for (Resource r : task.getResourcesList()) {
      if (!r.getName().equals("ports")) continue;
      for (Value.Range range : r.getRanges().getRangeList()) {
        for (long p = range.getBegin(); p <= range.getEnd(); p++) ports.add(p);
      }
    }
    return ports;
  }

  private static Map<String, String> env(TaskInfo task) {
    Map<String, String> env = new LinkedHashMap<>();
    task.getCommand().getEnvironment().getVariablesList().forEach(v -> env.put(v.getName(), v.getValue()));
    return env;
  }

  /** The set fields of a message, by name (what differs between shapes). */
  private static Set<String> fields(Message m) {
    return m.getAllFields().keySet().stream().map(f -> f.getName()).collect(Collectors.toSet());
  }

  /** The task travels as the master reads it, in both wire formats. */
  private static void assertSurvivesTheWire(TaskInfo task) throws Exception {
    ProtobufCodec<TaskInfo> binary = new ProtobufCodec<>(TaskInfo.getDefaultInstance());
    JsonCodec<TaskInfo> json = new JsonCodec<>(TaskInfo.getDefaultInstance());
    assertThat(binary.decode(binary.encode(task))).isEqualTo(task);
    assertThat(json.decode(json.encode(task))).isEqualTo(task);
  }
}
