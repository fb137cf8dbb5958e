package mdo.framework.placement;

import static mdo.framework.placement.Constraint.Operator.CLUSTER;
import static mdo.framework.placement.Constraint.Operator.GROUP_BY;
import static mdo.framework.placement.Constraint.Operator.IS;
import static mdo.framework.placement.Constraint.Operator.LIKE;
import static mdo.framework.placement.Constraint.Operator.MAX_PER;
import static mdo.framework.placement.Constraint.Operator.UNIQUE;
import static mdo.framework.placement.Constraint.Operator.UNLIKE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The cases of Marathon's own {@code src/test/scala/mesosphere/mesos/ConstraintsTest.scala} (and the validation cases
 * of {@code SchedulingValidationTest}), so mdo's constraints mean what Marathon's mean.
 */
class ConstraintSemanticsTest {

  /** An agent as Marathon's test builds one: a hostname and Mesos attribute text. */
  static Agent agent(String hostname, String attributes) {
    return Offers.host(hostname).attrs(attributes).agent();
  }

  static Agent host(String hostname) {
    return agent(hostname, "");
  }

  static Agent attrs(String attributes) {
    return agent("host", attributes);
  }

  static boolean meets(Agent offer, String field, Constraint.Operator op, String value, int instances, Agent... placed) {
    Constraint c = new Constraint(field, op, value);
    List<String> placedValues = Arrays.stream(placed).map(a -> a.fieldValue(field)).toList();
    return c.meets(offer.fieldValue(field), placedValues, instances);
  }

  static boolean meets(Agent offer, String field, Constraint.Operator op, String value, Agent... placed) {
    return meets(offer, field, op, value, 1, placed);
  }

  @Test
  void uniqueAndClusterOnHostname() {
    assertThat(meets(host("foohost"), "@hostname", CLUSTER, null)).isTrue();
    assertThat(meets(host("wrong.com"), "@hostname", CLUSTER, "right.com")).isFalse();
    assertThat(meets(host("host2"), "@hostname", UNIQUE, null)).isTrue();
    Agent[] placed = {host("host1"), host("host2"), host("host3")};
    assertThat(meets(host("host4"), "@hostname", UNIQUE, null, placed)).isTrue();
    assertThat(meets(host("host2"), "@hostname", UNIQUE, null, placed)).isFalse();
    assertThat(meets(host("host2"), "hostname", UNIQUE, null, placed)).as("hostname is @hostname").isFalse();
  }

  @Test
  void clusterAndUniqueOnAnAttribute() {
    Agent rack1 = agent("foohost", "foo:bar;rackid:rack-1");
    Agent rack2 = agent("foohost", "foo:bar;rackid:rack-2");
    Agent rack3 = agent("foohost", "foo:bar;rackid:rack-3");
    Agent task1 = attrs("rackid:rack-1");
    Agent task2 = attrs("rackid:rack-1");
    Agent task3 = attrs("rackid:rack-2");
    assertThat(meets(rack1, "rackid", CLUSTER, null)).as("fresh rack").isTrue();
    assertThat(meets(rack1, "rackid", CLUSTER, null, task1, task2)).as("same rack").isTrue();
    assertThat(meets(rack2, "rackid", CLUSTER, null, task1, task2)).as("other rack").isFalse();
    assertThat(meets(host("foohost"), "rackid", CLUSTER, null)).as("no attribute, no placements").isFalse();
    assertThat(meets(rack1, "rackid", UNIQUE, null)).isTrue();
    assertThat(meets(rack3, "rackid", UNIQUE, null, task1, task3)).isTrue();
    assertThat(meets(rack1, "rackid", UNIQUE, null, task1, task3)).isFalse();
    assertThat(meets(host("foohost"), "rackid", UNIQUE, null)).as("no attribute, even with no placements").isFalse();
  }

  @Test
  void likeAndUnlikeMatchTheWholeValueAndOnlyUnlikeAcceptsAnAgentWithoutTheAttribute() {
    assertThat(meets(attrs("jdk:6"), "jdk", LIKE, "7")).isFalse();
    assertThat(meets(attrs("jdk:7"), "jdk", LIKE, "7")).isTrue();
    assertThat(meets(host("foohost"), "jdk", LIKE, "7")).isFalse();
    assertThat(meets(attrs("jdk:6"), "jdk", UNLIKE, "7")).isTrue();
    assertThat(meets(attrs("jdk:7"), "jdk", UNLIKE, "7")).isFalse();
    assertThat(meets(host("foohost"), "jdk", UNLIKE, "7")).isTrue();
    assertThat(meets(attrs("rack:rack-12"), "rack", LIKE, "rack-[1-3]")).as("whole value, not a find").isFalse();
    assertThat(meets(attrs("jdk:7"), "jdk", LIKE, "")).as("an empty pattern never matches").isFalse();
  }

  @Test
  void groupByWithACountAllowsTheRemainderOnlyOncePerGroup() {
    Agent offer1 = agent("foohost", "foo:bar;rackid:rack-1");
    Agent offer2 = agent("foohost", "foo:bar;rackid:rack-2");
    Agent offer3 = agent("foohost", "foo:bar;rackid:rack-3");
    Agent in1 = attrs("rackid:rack-1");
    Agent in2 = attrs("rackid:rack-2");
    // an app of 5 instances, as in Marathon's RackGroupedByConstraints
    assertThat(meets(offer1, "rackid", GROUP_BY, "2", 5)).as("initial placement").isTrue();
    assertThat(meets(offer1, "rackid", GROUP_BY, "2", 5, in1, in1)).as("remainder to a group").isTrue();
    assertThat(meets(offer1, "rackid", GROUP_BY, "4", 5, in1)).isTrue();
    assertThat(meets(offer1, "rackid", GROUP_BY, "2", 5, in1, in1, in1)).as("not a second remainder").isFalse();
    assertThat(meets(offer1, "rackid", GROUP_BY, "4", 5, in1, in1)).isFalse();
    assertThat(meets(offer2, "rackid", GROUP_BY, "2", 5, in1)).as("second placement").isTrue();
    assertThat(meets(offer2, "rackid", GROUP_BY, "4", 5, in1, in1, in2)).as("remainder used up").isFalse();
    assertThat(meets(offer2, "rackid", GROUP_BY, "2", 5, in1, in1, in1, in2)).as("final placement").isTrue();
    assertThat(meets(offer3, "rackid", GROUP_BY, "2", 5, in1, in2)).as("no third rack").isFalse();
    assertThat(meets(host("foohost"), "rackid", GROUP_BY, "2", 5)).as("no attribute").isFalse();
  }

  @Test
  void groupByComparesRenderedValuesAndWorksOnHostnames() {
    Agent in1 = attrs("rackid:rack-1.0");
    Agent in2 = attrs("rackid:rack-2.0");
    assertThat(meets(attrs("rackid:rack-1"), "rackid", GROUP_BY, "3", 5)).isTrue();
    assertThat(meets(attrs("rackid:rack-2"), "rackid", GROUP_BY, "3", 5, in1)).isTrue();
    assertThat(meets(attrs("rackid:rack-3"), "rackid", GROUP_BY, "3", 5, in1, in2)).isTrue();
    assertThat(meets(attrs("rackid:rack-1"), "rackid", GROUP_BY, "3", 5, in1)).as("rack-1 is not rack-1.0").isTrue();
    assertThat(meets(host("host-1"), "@hostname", GROUP_BY, "3", 5)).isTrue();
    assertThat(meets(host("host-2"), "@hostname", GROUP_BY, "3", 5, host("host-1"))).isTrue();
    assertThat(meets(host("host-3"), "@hostname", GROUP_BY, "3", 5, host("host-1"), host("host-2"))).isTrue();
    assertThat(meets(host("host-1"), "@hostname", GROUP_BY, "3", 5, host("host-1"))).isTrue();
  }

  /** Marathon documents an even spread over the values it has seen; its 1.9.x-1.11 code divides by zero here. */
  @Test
  void groupByWithoutACountTakesNewValuesAndOtherwiseTheLeastUsed() {
    Agent r1 = attrs("rack:r1");
    Agent r2 = attrs("rack:r2");
    Agent r3 = attrs("rack:r3");
    assertThat(meets(r1, "rack", GROUP_BY, null, 9)).isTrue();
    assertThat(meets(r1, "rack", GROUP_BY, null, 9, r1)).as("the only group is the smallest").isTrue();
    assertThat(meets(r1, "rack", GROUP_BY, null, 9, r1, r2, r1)).as("r1 leads").isFalse();
    assertThat(meets(r2, "rack", GROUP_BY, null, 9, r1, r2, r1)).isTrue();
    assertThat(meets(r3, "rack", GROUP_BY, null, 9, r1, r2, r1, r2, r1, r2)).as("a value seen late").isTrue();
    assertThat(meets(r1, "rack", GROUP_BY, null, 9, r1, r2, r3)).isTrue();
    assertThat(meets(host("h"), "rack", GROUP_BY, null, 9)).as("no attribute").isFalse();
  }

  @Test
  void maxPerCountsInstancesPerValue() {
    Agent h1 = host("host1");
    Agent h2 = host("host2");
    assertThat(meets(h1, "@hostname", MAX_PER, "2")).as("fresh host").isTrue();
    assertThat(meets(h1, "@hostname", MAX_PER, "2", h1)).isTrue();
    assertThat(meets(h2, "@hostname", MAX_PER, "2", h1, h1)).isTrue();
    assertThat(meets(h1, "@hostname", MAX_PER, "2", h1, h1, h2)).isFalse();
    assertThat(meets(host("host3"), "@hostname", MAX_PER, "2", h1, h1, h2, h1)).isTrue();
    // scalar attributes: an instance on rackid 1.0 and an offer of rackid 1 are the same rack
    Agent rack1 = attrs("rackid:1.0");
    Agent rack2 = attrs("rackid:2.0");
    assertThat(meets(attrs("foo:bar;rackid:1"), "rackid", MAX_PER, "2")).isTrue();
    assertThat(meets(attrs("foo:bar;rackid:2"), "rackid", MAX_PER, "2", rack1)).isTrue();
    assertThat(meets(attrs("foo:bar;rackid:1"), "rackid", MAX_PER, "2", rack1, rack2)).isTrue();
    assertThat(meets(attrs("foo:bar;rackid:1"), "rackid", MAX_PER, "2", rack1, rack2, rack1)).isFalse();
  }

  @Test
  void textScalarRangeAndSetAttributesCompareAsMarathonRendersThem() {
    Agent[] fresh = {attrs("foo:bar"), attrs("jdk:7"), attrs("jdk:[6-7]"), attrs("gpu:{0,1}")};
    assertThat(meets(attrs("jdk:6"), "jdk", LIKE, "7", fresh)).isFalse();
    assertThat(meets(attrs("jdk:7"), "jdk", LIKE, "7", fresh)).isTrue();
    assertThat(meets(attrs("jdk:6"), "jdk", CLUSTER, "7", attrs("jdk:7"))).isFalse();
    assertThat(meets(attrs("jdk:7"), "jdk", CLUSTER, "7", attrs("jdk:7"))).isTrue();
    assertThat(meets(host("foohost"), "jdk", LIKE, "7", fresh)).isFalse();
    assertThat(meets(attrs("jdk:7"), "jdk", UNLIKE, "7", fresh)).isFalse();
    assertThat(meets(attrs("jdk:6"), "jdk", UNLIKE, "7", fresh)).isTrue();
    assertThat(meets(host("foohost"), "jdk", UNLIKE, "7", fresh)).isTrue();
    assertThat(meets(attrs("jdk:[5-7]"), "jdk", LIKE, "\\[6-7\\]", fresh)).isFalse();
    assertThat(meets(attrs("jdk:[6-7]"), "jdk", LIKE, "\\[6-7\\]", fresh)).isTrue();
    assertThat(meets(attrs("jdk:[5-7]"), "jdk", CLUSTER, "[6-7]", attrs("jdk:[6-7]"))).isFalse();
    assertThat(meets(attrs("jdk:[6-7]"), "jdk", CLUSTER, "[6-7]", attrs("jdk:[6-7]"))).isTrue();
    assertThat(meets(host("foohost"), "jdk", LIKE, "\\[6-7\\]", fresh)).isFalse();
    assertThat(meets(attrs("jdk:[6-7]"), "jdk", UNLIKE, "\\[6-7\\]", fresh)).isFalse();
    assertThat(meets(attrs("jdk:5-7"), "jdk", UNLIKE, "\\[6-7\\]", fresh)).as("5-7 is text").isTrue();
    assertThat(meets(host("foohost"), "jdk", UNLIKE, "\\[6-7\\]", fresh)).isTrue();
    assertThat(meets(attrs("gpu:{2,1}"), "gpu", LIKE, "\\{0,1\\}", fresh)).isFalse();
    assertThat(meets(attrs("gpu:{1,0}"), "gpu", LIKE, "\\{0,1\\}", fresh)).as("sets render sorted").isTrue();
    assertThat(meets(attrs("jdk:{2,1}"), "gpu", CLUSTER, "{0,1}", attrs("gpu:{0,1}"))).isFalse();
    assertThat(meets(attrs("gpu:{0,1}"), "gpu", CLUSTER, "{0,1}", attrs("gpu:{0,1}"))).isTrue();
    assertThat(meets(host("foohost"), "gpu", LIKE, "\\{0,1\\}", fresh)).isFalse();
    assertThat(meets(attrs("gpu:{0,1}"), "gpu", UNLIKE, "\\{0,1\\}", fresh)).isFalse();
    assertThat(meets(attrs("gpu:{1,2}"), "gpu", UNLIKE, "\\{0,1\\}", fresh)).isTrue();
    assertThat(meets(host("foohost"), "gpu", UNLIKE, "\\{0,1\\}", fresh)).isTrue();
  }

  @Test
  void attributesRenderAsMarathonRendersThem() {
    assertThat(AttributeValue.scalar(1.0).render()).isEqualTo("1");
    assertThat(AttributeValue.scalar(0.8).render()).isEqualTo("0.8");
    assertThat(AttributeValue.scalar(1.00051).render()).isEqualTo("1.001");
    assertThat(AttributeValue.scalar(1234567.5).render()).as("no grouping separator").isEqualTo("1234567.5");
    assertThat(MesosAttributes.value("[31000-32000,100-200]").render()).isEqualTo("[100-200,31000-32000]");
    assertThat(MesosAttributes.value("{b,a,c}").render()).isEqualTo("{a,b,c}");
  }

  @Test
  void isComparesExactlyAndScalarsToTheThousandth() {
    assertThat(meets(host("righthost.com"), "@hostname", IS, "righthost.com")).isTrue();
    assertThat(meets(host("wronghost.com"), "@hostname", IS, "righthost.com")).isFalse();
    assertThat(meets(attrs("number:1"), "number", IS, "1.0")).isTrue();
    assertThat(meets(attrs("number:1.0"), "number", IS, "1")).isTrue();
    assertThat(meets(attrs("number:1.0"), "number", IS, "1.0001")).isTrue();
    assertThat(meets(attrs("number:1.0"), "number", IS, "1.0005")).isTrue();
    assertThat(meets(attrs("number:1.0"), "number", IS, "1.00051")).isFalse();
    assertThat(meets(attrs("number:1.0"), "number", IS, "1.001")).isFalse();
    assertThat(meets(attrs("level:0.8"), "level", IS, "0.80")).isTrue();
  }

  @Test
  void regionAndZoneComeFromTheFaultDomain() {
    Agent region1 = new Agent("a1", "h1", Map.of(), "region1", "zone");
    Agent region2 = new Agent("a2", "h2", Map.of(), "region2", "zone");
    Agent zone1 = new Agent("a3", "h3", Map.of(), "region", "zone1");
    Agent zone2 = new Agent("a4", "h4", Map.of(), "region", "zone2");
    assertThat(meets(region1, "@region", UNIQUE, null, new Agent("x", "hx", Map.of(), "region1", "zone1"))).isFalse();
    assertThat(meets(region2, "@region", UNIQUE, null, new Agent("x", "hx", Map.of(), "region1", "zone1"))).isTrue();
    assertThat(meets(zone1, "@zone", UNIQUE, null, new Agent("x", "hx", Map.of(), "region", "zone1"))).isFalse();
    assertThat(meets(zone2, "@zone", UNIQUE, null, new Agent("x", "hx", Map.of(), "region", "zone1"))).isTrue();
    assertThat(meets(host("nodomain"), "@zone", LIKE, ".*")).as("no fault domain").isFalse();
  }

  @Test
  void clusterWithoutAValueFollowsTheFirstInstance() {
    Agent a = host("a");
    assertThat(meets(host("b"), "hostname", CLUSTER, null, a, a)).isFalse();
    assertThat(meets(a, "hostname", CLUSTER, "", a)).as("an empty value is no value").isTrue();
    assertThat(meets(attrs("rack:r1"), "rack", CLUSTER, null, host("x"))).as("first instance had no rack").isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "hostname,UNIQUE,x      | UNIQUE does not accept a value",
      "rack,GROUP_BY,AbcDZ    | GROUP BY must define an integer value or else no value at all",
      "rack,MAX_PER           | MAX_PER requires an integer value",
      "rack,MAX_PER,two       | MAX_PER requires an integer value",
      "rack,LIKE              | LIKE and UNLIKE require a non-empty, regular expression value",
      "rack,UNLIKE,r[1        | is not a valid regular expression",
      "jdk,IS,[6-7]           | IS only supports Mesos text and float values",
      "rack,NEAR,r1           | operator must be one of the following UNIQUE, CLUSTER, GROUP_BY, LIKE, MAX_PER, UNLIKE or IS",
      "rack                   | Each constraint must have either 2 or 3 fields",
      "',UNIQUE'              | missing field for constraint declaration"})
  void whatMarathonRefusesIsRefusedWithItsMessage(String constraint, String message) {
    List<String> parts = Arrays.asList(constraint.split(",", -1));
    assertThatThrownBy(() -> Constraint.parse(parts)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void whatMarathonAcceptsParses() {
    assertThat(Constraint.parse(List.of("rack", "group_by"))).isEqualTo(Constraint.of("rack", GROUP_BY));
    assertThat(Constraint.parse(List.of("rack", "GROUP_BY", "123")).number()).isEqualTo(123);
    assertThat(Constraint.parse(List.of("hostname", "CLUSTER")).toString()).isEqualTo("hostname:CLUSTER");
    assertThat(Constraint.parse(List.of("rack", "LIKE", "r[12]")).toString()).isEqualTo("rack:LIKE:r[12]");
  }
}
