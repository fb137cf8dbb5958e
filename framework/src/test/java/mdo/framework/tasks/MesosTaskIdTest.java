package mdo.framework.tasks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MesosTaskIdTest {
  private static final UUID INSTANCE = UUID.fromString("3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b");

  @Test
  void looksLikeTheIdMarathonGivesTheTaskOfTheSameApp() {
    MesosTaskId id = new MesosTaskId("prod", "cassandra", INSTANCE, 1);
    assertThat(id.value()).isEqualTo("prod_cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b._app.1");
    assertThat(id.instanceId()).isEqualTo("prod_cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b");
  }

  @Test
  void aRelaunchKeepsTheInstanceAndCountsTheIncarnationUp() {
    MesosTaskId first = new MesosTaskId("prod", "kafka.broker", INSTANCE, 1);
    MesosTaskId relaunched = MesosTaskId.parse(first.nextIncarnation().nextIncarnation().value()).orElseThrow();
    assertThat(relaunched.instanceId()).isEqualTo(first.instanceId());
    assertThat(relaunched.incarnation()).isEqualTo(3);
    assertThat(relaunched.value()).endsWith(".instance-" + INSTANCE + "._app.3");
    assertThat(relaunched.appId()).isEqualTo("/prod/kafka.broker"); // ServiceDefinition.id() of the service
  }

  @Test
  void parsesBackIntoEnvironmentServiceInstanceAndIncarnation() {
    MesosTaskId id = new MesosTaskId("my-env.eu", "web.v2", INSTANCE, 12);
    assertThat(MesosTaskId.parse(id.value())).contains(id);
    MesosTaskId fresh = MesosTaskId.newInstance("default", "zookeeper");
    assertThat(MesosTaskId.parse(fresh.value())).contains(fresh);
    assertThat(fresh.incarnation()).isEqualTo(1);
    assertThat(MesosTaskId.newInstance("default", "zookeeper").instance()).isNotEqualTo(fresh.instance());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "12220-3440-12532-my-task", // another framework's id, from kill_call.json
      "eb5cb680-a998-4605-8811-e79db8734c02", // task_status_running_from_operator_api.json
      "prod_cassandra.3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b", // Marathon 0.7-1.7
      "prod_cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b.cassandra.1", // a pod container
      "prod_cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b._app.0",
      "prod_cassandra.instance-3F2A8C1E-5B7D-4E9F-8A6B-0C1D2E3F4A5B._app.1",
      "cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b._app.1", // no environment
      "prod_Cassandra.instance-3f2a8c1e-5b7d-4e9f-8a6b-0c1d2e3f4a5b._app.1",
      ""})
  void idsOfOtherFormsAreNotOurs(String id) {
    assertThat(MesosTaskId.parse(id)).isEmpty();
  }

  @Test
  void namesThatAreNotMarathonIdSegmentsAreRefused() {
    assertThatThrownBy(() -> new MesosTaskId("prod_eu", "web", INSTANCE, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("environment");
    assertThatThrownBy(() -> new MesosTaskId("prod", "web/api", INSTANCE, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("service");
    assertThatThrownBy(() -> new MesosTaskId("prod", "web", INSTANCE, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("incarnations count from 1");
  }

  @Test
  void anIdLongerThanMesosAllowsIsRefusedWhenBuilt() {
    String longName = "s".repeat(200);
    assertThatThrownBy(() -> new MesosTaskId("prod", longName, INSTANCE, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Mesos allows 255");
    MesosTaskId longest = new MesosTaskId("e", "s".repeat(MesosTaskId.MAX_LENGTH - 55), INSTANCE, 1);
    assertThat(longest.value()).hasSize(MesosTaskId.MAX_LENGTH);
  }
}
