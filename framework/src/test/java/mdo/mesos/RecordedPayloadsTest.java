package mdo.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.mesos.v1.Protos.NetworkInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recorded payload through the production code: events through {@link EventStreamReader} (the code that reads
 * the live stream), calls through the codec the stub master parses requests with. What must fail is SOURCES.md's
 * list of doc examples that do not match the proto, and every {@code *.json.txt} (not even JSON).
 */
class RecordedPayloadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Event files that decode, with the type they hold. */
  private static final Map<String, Event.Type> VALID_EVENTS = Map.of(
      "subscribed_event.json", Event.Type.SUBSCRIBED,
      "heartbeat_event.json", Event.Type.HEARTBEAT,
      "rescind_event.json", Event.Type.RESCIND,
      "message_event.json", Event.Type.MESSAGE,
      "failure_event.json", Event.Type.FAILURE,
      "update_event.json", Event.Type.UPDATE); // its unknown "bytes" field is ignored, as the master ignores it

  /** Event files whose documented shape is wrong, and the fault. */
  private static final Map<String, String> INVALID_EVENTS = Map.of(
      "offers_event.json", "offers is a message wrapping the array",
      "error_event.json", "message belongs under error",
      "update_operation_status_event.json", "uuid is a UUID message");

  private static final Map<String, Call.Type> VALID_CALLS = Map.ofEntries(
      Map.entry("subscribe_call.json", Call.Type.SUBSCRIBE),
      Map.entry("teardown_call.json", Call.Type.TEARDOWN),
      Map.entry("decline_call.json", Call.Type.DECLINE),
      Map.entry("kill_call.json", Call.Type.KILL),
      Map.entry("shutdown_call.json", Call.Type.SHUTDOWN),
      Map.entry("acknowledge_call.json", Call.Type.ACKNOWLEDGE),
      Map.entry("reconcile_call.json", Call.Type.RECONCILE),
      Map.entry("reconcile_operations_call.json", Call.Type.RECONCILE_OPERATIONS),
      Map.entry("message_call.json", Call.Type.MESSAGE),
      Map.entry("request_call.json", Call.Type.REQUEST));

  private static final Map<String, String> INVALID_CALLS = Map.of(
      "accept_call.json", "limits values are Value.Scalar messages",
      "acknowledge_operation_status_call.json", "operation_id is a message");

  private static final List<String> TASK_STATUSES =
      List.of("task_status_running_from_operator_api.json", "task_status_finished_from_operator_api.json");

  /** Files that are not one scheduler message: checked by their own tests below. */
  private static final List<String> OTHERS = List.of("SOURCES.md", "agent_resources_example.json",
      "cni_network_config_with_network_info.json", "recordio_stout_test_vector.bin", "recordio_stream_example.txt",
      "subscribe_http_exchange.txt", "redirect_http_exchange.txt");

  @Test
  void everyRecordedFileIsCoveredHere() throws IOException {
    List<String> covered = new ArrayList<>(OTHERS);
    covered.addAll(VALID_EVENTS.keySet());
    covered.addAll(INVALID_EVENTS.keySet());
    covered.addAll(VALID_CALLS.keySet());
    covered.addAll(INVALID_CALLS.keySet());
    covered.addAll(TASK_STATUSES);
    covered.addAll(notJson());
    try (Stream<Path> files = Files.list(MesosPayloads.directory())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrderElementsOf(covered);
    }
  }

  static Stream<String> validEvents() {
    return VALID_EVENTS.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("validEvents")
  void validEventsDecodeFromAStreamInBothWireFormats(String file) throws IOException {
    Event fromJson = readStream(WireFormat.JSON, MesosPayloads.bytes(file));
    assertThat(fromJson.getType()).isEqualTo(VALID_EVENTS.get(file));
    byte[] binary = WireFormat.PROTOBUF.codec(Event.getDefaultInstance()).encode(fromJson);
    assertThat(readStream(WireFormat.PROTOBUF, binary)).isEqualTo(fromJson);
  }

  @Test
  void recordedEventsCarryTheFieldsTheSchedulerReads() throws IOException {
    Event subscribed = readStream(WireFormat.JSON, MesosPayloads.bytes("subscribed_event.json"));
    assertThat(subscribed.getSubscribed().getFrameworkId().getValue()).isEqualTo(MesosPayloads.RECORDED_FRAMEWORK_ID);
    assertThat(subscribed.getSubscribed().getHeartbeatIntervalSeconds()).isEqualTo(15.0);
    Event rescind = readStream(WireFormat.JSON, MesosPayloads.bytes("rescind_event.json"));
    assertThat(rescind.getRescind().getOfferId().getValue()).isEqualTo("12214-23523-O235235");
    Event failure = readStream(WireFormat.JSON, MesosPayloads.bytes("failure_event.json"));
    assertThat(failure.getFailure().getStatus()).isEqualTo(1);
    Event update = readStream(WireFormat.JSON, MesosPayloads.bytes("update_event.json"));
    assertThat(update.getUpdate().getStatus().getState()).isEqualTo(TaskState.TASK_RUNNING);
    // the doc's uuid is 18 bytes and there is no agent_id: this update could never be acknowledged
    assertThat(update.getUpdate().getStatus().getUuid().size()).isNotEqualTo(16);
    assertThat(update.getUpdate().getStatus().hasAgentId()).isFalse();
  }

  static Stream<String> invalidEvents() {
    return INVALID_EVENTS.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("invalidEvents")
  void eventsWithTheDocsWrongShapeAreRefusedByTheStreamReader(String file) {
    assertThatThrownBy(() -> readStream(WireFormat.JSON, MesosPayloads.bytes(file)))
        .as(INVALID_EVENTS.get(file))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("not a valid Event in JSON");
  }

  static Stream<String> validCalls() {
    return VALID_CALLS.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("validCalls")
  void validCallsDecodeInBothWireFormats(String file) throws IOException {
    Call call = MesosPayloads.CALLS.decode(MesosPayloads.bytes(file));
    assertThat(call.getType()).isEqualTo(VALID_CALLS.get(file));
    MessageCodec<Call> binary = WireFormat.PROTOBUF.codec(Call.getDefaultInstance());
    assertThat(binary.decode(binary.encode(call))).isEqualTo(call);
  }

  @Test
  void callsThatDecodeButTheMasterStillRefusesAreRefusedByTheStubMaster() throws IOException {
    // request_call.json puts "requests" at the top level: ignored like any unknown field, so REQUEST has no body
    assertThat(StubMaster.validate(MesosPayloads.CALLS.decode(MesosPayloads.bytes("request_call.json"))))
        .isEqualTo("Expecting 'request' to be present");
    // acknowledge_call.json's uuid is not a 16-byte RFC 4122 uuid (API.md C9)
    assertThat(StubMaster.validate(MesosPayloads.CALLS.decode(MesosPayloads.bytes("acknowledge_call.json"))))
        .isEqualTo("Not a valid UUID");
    for (String file : List.of("teardown_call.json", "decline_call.json", "kill_call.json", "reconcile_call.json")) {
      assertThat(StubMaster.validate(MesosPayloads.CALLS.decode(MesosPayloads.bytes(file)))).as(file).isNull();
    }
  }

  static Stream<String> invalidCalls() {
    return INVALID_CALLS.keySet().stream().sorted();
  }

  @ParameterizedTest
  @MethodSource("invalidCalls")
  void callsWithTheDocsWrongShapeAreRefused(String file) {
    assertThatThrownBy(() -> MesosPayloads.CALLS.decode(MesosPayloads.bytes(file)))
        .as(INVALID_CALLS.get(file))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("not a valid Call in JSON");
  }

  /** The doc examples that are not even JSON (SOURCES.md). */
  static List<String> notJson() {
    return List.of("revive_call.json.txt", "suppress_call.json.txt", "update_framework_call.json.txt",
        "launch_group_accept_call.json.txt", "launch_command_task_accept_call.json.txt");
  }

  @ParameterizedTest
  @MethodSource("notJson")
  void theDocsInvalidJsonExamplesAreRefused(String file) {
    byte[] bytes = MesosPayloads.bytes(file);
    assertThatThrownBy(() -> MesosPayloads.CALLS.decode(bytes)).isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> readStream(WireFormat.JSON, bytes)).isInstanceOf(MalformedMessageException.class);
  }

  @Test
  void taskStatusesAsTheMasterSerialisesThemDecode() throws IOException {
    for (String file : TASK_STATUSES) {
      TaskStatus status = MesosPayloads.STATUSES.decode(MesosPayloads.bytes(file));
      assertThat(status.getUuid().size()).as(file).isEqualTo(16);
      assertThat(status.getAgentId().getValue()).isEqualTo("628984d0-4213-4140-bcb0-99d7ef46b1df-S0");
      assertThat(status.getContainerStatus().getNetworkInfos(0).getIpAddresses(0).getIpAddress()).isEqualTo("127.0.1.1");
    }
    Event update = MesosPayloads.update();
    assertThat(readStream(WireFormat.PROTOBUF,
        WireFormat.PROTOBUF.codec(Event.getDefaultInstance()).encode(update))).isEqualTo(update);
  }

  @Test
  void agentResourcesAndNetworkInfoExamplesDecodeAsTheirMessages() throws IOException {
    JsonCodec<Resource> resources = new JsonCodec<>(Resource.getDefaultInstance());
    List<Resource> decoded = new ArrayList<>();
    for (JsonNode r : JSON.readTree(MesosPayloads.bytes("agent_resources_example.json"))) {
      decoded.add(resources.decode(JSON.writeValueAsBytes(r)));
    }
    assertThat(decoded).extracting(Resource::getName).containsExactly("cpus", "gpus", "mem", "disk", "ports", "bugs");
    assertThat(decoded.get(4).getRanges().getRangeList()).hasSize(2);
    JsonNode info = JSON.readTree(MesosPayloads.bytes("cni_network_config_with_network_info.json"))
        .path("args").path("org.apache.mesos").path("network_info");
    NetworkInfo network = new JsonCodec<>(NetworkInfo.getDefaultInstance()).decode(JSON.writeValueAsBytes(info));
    assertThat(network.getPortMappingsList()).extracting(NetworkInfo.PortMapping::getContainerPort)
        .containsExactly(80, 443);
  }

  /** One recorded message framed as one RecordIO record, read back by the stream reader. */
  private static Event readStream(WireFormat format, byte[] record) throws IOException {
    EventStreamReader<Event> reader = new EventStreamReader<>(
        new ByteArrayInputStream(MesosPayloads.frame(List.of(record))), format.codec(Event.getDefaultInstance()),
        new RecordIoDecoder());
    Event event = reader.next();
    assertThat(reader.next()).isNull();
    return event;
  }
}
