package mdo.devcluster.mesos.resources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.mesos.v1.Protos.Resource;
import org.junit.jupiter.api.Test;

/** Mesos' resource arithmetic and how the master prints resources in its messages. */
class ResourcesTest {
  private static final Resources AGENT = Resources.parse("cpus:4;mem:4096;disk:10000;ports:[31000-32000]");

  @Test
  void printsAsTheMasterDoes() {
    assertThat(AGENT.withAllocation("mdo").toString()).isEqualTo("cpus(allocated: mdo):4; mem(allocated: mdo):4096;"
        + " disk(allocated: mdo):10000; ports(allocated: mdo):[31000-32000]");
    assertThat(Resources.parse("cpus:0.1;mem:0.0005").toString()).isEqualTo("cpus:0.1; mem:0.001");
    assertThat(Resources.empty().toString()).isEqualTo("{}");
  }

  @Test
  void subtractsAndContainsPerKindWithThreeDecimalScalars() {
    Resources task = Resources.parse("cpus:0.1;mem:64;ports:[31005-31005]");
    Resources left = AGENT.minus(task).minus(task.minus(Resources.parse("ports:[31005-31005]")));
    assertThat(left.scalar("cpus")).isEqualTo(3.8);
    assertThat(left.ranges("ports")).containsExactly(Resources.range(31000, 31004), Resources.range(31006, 32000));
    assertThat(left.toString()).isEqualTo("cpus:3.8; mem:3968; disk:10000; ports:[31000-31004, 31006-32000]");
    assertThat(AGENT.contains(task)).isTrue();
    assertThat(left.contains(Resources.parse("ports:[31005-31005]"))).isFalse();
    assertThat(AGENT.contains(Resources.parse("cpus:4.0001"))).as("beyond three decimals is noise").isTrue();
    assertThat(AGENT.contains(Resources.parse("cpus:4.001"))).isFalse();
    assertThat(left.plus(task).plus(Resources.parse("cpus:0.1;mem:64"))).isEqualTo(AGENT);
  }

  @Test
  void differentRolesOrAllocationsAreDifferentResources() {
    Resources allocated = AGENT.withAllocation("mdo");
    assertThat(allocated.contains(Resources.parse("cpus:1"))).isFalse();
    assertThat(allocated.contains(Resources.parse("cpus:1").withAllocation("mdo"))).isTrue();
    Resource reserved = Resources.scalar("cpus", 1).toBuilder().setRole("eng").build();
    assertThat(AGENT.contains(Resources.of(List.of(reserved)))).isFalse();
  }

  @Test
  void parsesAgentResourcesAndRefusesNonsense() {
    assertThat(Resources.parse("cpus:2; mem:512 ;gpus:1").scalar("gpus")).isEqualTo(1.0);
    assertThatThrownBy(() -> Resources.parse("cpus")).hasMessageContaining("expected name:value");
    assertThatThrownBy(() -> Resources.parse("cpus:lots")).hasMessageContaining("bad resource 'cpus:lots'");
    assertThatThrownBy(() -> Resources.parse("ports:[32000-31000]"))
        .hasMessageContaining("Invalid ranges resource: begin > end");
    assertThatThrownBy(() -> Resources.parse("mem:-1")).hasMessageContaining("Invalid scalar resource: value <= 0");
  }

  @Test
  void validationNamesTheResourceAndTheProblem() {
    Resource text = Resource.newBuilder().setName("note").setType(org.apache.mesos.v1.Protos.Value.Type.TEXT)
        .build();
    assertThat(ResourceValidation.problem(List.of(text))).isEqualTo("Resource 'note:TEXT' is invalid: Unsupported"
        + " resource type");
    assertThat(Roles.problem("a b")).isEqualTo("Role component 'a b' is invalid because it contains backspace or"
        + " whitespace");
    assertThat(Roles.problem("mdo/ops")).isNull();
  }
}
