package mdo.devcluster.mesos.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import org.apache.mesos.v1.Protos.CommandInfo;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.Protos.Value;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;

/** stout's JSON <-> protobuf rules, each one a way a client's JSON can differ from what protobuf's JsonFormat does. */
class StoutJsonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Call call(String json) throws Exception {
    return StoutJson.parse(json, Call.newBuilder()).build();
  }

  @Test
  void matchesProtoNamesOnlyAndSkipsUnknownKeys() throws Exception {
    Call call = call("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\","
        + "\"failoverTimeout\":5,\"whatever\":{\"x\":1}}}}");
    assertThat(call.getSubscribe().getFrameworkInfo().hasFailoverTimeout()).isFalse();
    assertThat(call.getSubscribe().getFrameworkInfo().getName()).isEqualTo("n");
  }

  @Test
  void acceptsNumbersAsStringsAndInfinityForDoubles() throws Exception {
    Resource ports = StoutJson.parse("{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":"
        + "[{\"begin\":\"31000\",\"end\":31005}]}}", Resource.newBuilder()).build();
    assertThat(ports.getRanges().getRange(0).getBegin()).isEqualTo(31000);
    Value.Scalar infinite = StoutJson.parse("{\"value\":\"Infinity\"}", Value.Scalar.newBuilder()).build();
    assertThat(infinite.getValue()).isInfinite();
    assertThatThrownBy(() -> StoutJson.parse("{\"value\":\"lots\"}", Value.Scalar.newBuilder()))
        .hasMessageStartingWith("Failed to parse 'lots' as a JSON number for field 'value': ");
  }

  @Test
  void anUnknownEnumNameDropsAnOptionalFieldAndFailsARequiredOne() throws Exception {
    TaskStatus status = StoutJson.parse("{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_RUNNING\","
        + "\"source\":\"SOURCE_SOMEWHERE_NEW\"}", TaskStatus.newBuilder()).build();
    assertThat(status.hasSource()).isFalse();
    assertThatThrownBy(() -> StoutJson.parse("{\"task_id\":{\"value\":\"t\"},\"state\":\"TASK_BORED\"}",
        TaskStatus.newBuilder())).hasMessage("Failed to find enum for 'TASK_BORED'");
  }

  @Test
  void nullMeansUnsetAndAStringFillsARepeatedField() throws Exception {
    FrameworkInfo info = StoutJson.parse("{\"user\":\"u\",\"name\":\"n\",\"hostname\":null,\"roles\":\"mdo\"}",
        FrameworkInfo.newBuilder()).build();
    assertThat(info.hasHostname()).isFalse();
    assertThat(info.getRolesList()).containsExactly("mdo");
    assertThatThrownBy(() -> StoutJson.parse("{\"user\":[\"u\"],\"name\":\"n\"}", FrameworkInfo.newBuilder()))
        .hasMessage("Not expecting a JSON array for field 'user'");
    assertThatThrownBy(() -> StoutJson.parse("{\"user\":\"u\"}", FrameworkInfo.newBuilder()))
        .hasMessage("Missing required fields: name");
  }

  @Test
  void mapsTakeValueMessagesAndKeysAreVisitedInSortedOrder() throws Exception {
    TaskInfo task = StoutJson.parse("{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":\"a\"},"
        + "\"limits\":{\"mem\":{\"value\":1024},\"cpus\":{\"value\":\"Infinity\"}}}", TaskInfo.newBuilder()).build();
    assertThat(task.getLimitsMap().get("mem").getValue()).isEqualTo(1024.0);
    assertThat(task.getLimitsMap().get("cpus").getValue()).isInfinite();
    // "mem" has a good value and "cpus" a bad one: the error is about "cpus", which sorts first.
    assertThatThrownBy(() -> StoutJson.parse("{\"name\":\"t\",\"task_id\":{\"value\":\"t\"},\"agent_id\":{\"value\":"
        + "\"a\"},\"limits\":{\"mem\":{\"value\":1},\"cpus\":\"Infinity\"}}", TaskInfo.newBuilder()))
        .hasMessage("Not expecting a JSON string for field 'value'");
  }

  @Test
  void bytesAreBase64AsStoutDecodesIt() throws Exception {
    Call ack = call("{\"type\":\"ACKNOWLEDGE\",\"framework_id\":{\"value\":\"f\"},\"acknowledge\":{\"agent_id\":"
        + "{\"value\":\"a\"},\"task_id\":{\"value\":\"t\"},\"uuid\":\"hTaLQ0b5Q1OZuab7QclTKQ==\"}}");
    assertThat(ack.getAcknowledge().getUuid().size()).isEqualTo(16);
    assertThat(StoutJson.base64Decode("aGk")).isEqualTo("hi".getBytes());
    assertThatThrownBy(() -> call("{\"type\":\"ACKNOWLEDGE\",\"acknowledge\":{\"uuid\":\"a*b\"}}"))
        .hasMessage("Failed to base64 decode bytes field 'uuid': Invalid character '*'");
  }

  @Test
  void printsProtoNamesIntegersAsNumbersAndExplicitDefaults() throws Exception {
    Event event = Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(
        TaskStatus.newBuilder().setTaskId(org.apache.mesos.v1.Protos.TaskID.newBuilder().setValue("t"))
            .setState(org.apache.mesos.v1.Protos.TaskState.TASK_RUNNING).setTimestamp(1700000000.123)
            .setUuid(ByteString.copyFrom(new byte[16])))).build();
    assertThat(StoutJson.printString(event)).isEqualTo("{\"type\":\"UPDATE\",\"update\":{\"status\":{\"task_id\":"
        + "{\"value\":\"t\"},\"state\":\"TASK_RUNNING\",\"timestamp\":1700000000.123,\"uuid\":"
        + "\"AAAAAAAAAAAAAAAAAAAAAA==\"}}}");
    assertThat(StoutJson.printString(Value.Range.newBuilder().setBegin(31000).setEnd(32000).build()))
        .isEqualTo("{\"begin\":31000,\"end\":32000}");
    // CommandInfo.shell has an explicit default (true): stout prints it even when unset.
    assertThat(JSON.readTree(StoutJson.print(CommandInfo.newBuilder().setValue("x").build())).path("shell")
        .asBoolean()).isTrue();
    assertThat(StoutJson.printString(Event.Subscribed.newBuilder().setFrameworkId(
        org.apache.mesos.v1.Protos.FrameworkID.newBuilder().setValue("f")).setHeartbeatIntervalSeconds(15).build()))
        .isEqualTo("{\"framework_id\":{\"value\":\"f\"},\"heartbeat_interval_seconds\":15.0}");
  }

  @Test
  void whatItPrintsItReadsBack() throws Exception {
    Call call = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
        .setFrameworkInfo(FrameworkInfo.newBuilder().setUser("u").setName("n").setFailoverTimeout(604800)
            .addRoles("mdo").addCapabilities(FrameworkInfo.Capability.newBuilder()
                .setType(FrameworkInfo.Capability.Type.MULTI_ROLE)))).build();
    // Printing adds fields with explicit defaults (checkpoint: false), so compare the printed forms.
    String printed = StoutJson.printString(call);
    assertThat(StoutJson.printString(StoutJson.parse(printed, Call.newBuilder()))).isEqualTo(printed);
    assertThat(printed).contains("\"checkpoint\":false", "\"failover_timeout\":604800.0");
  }
}
