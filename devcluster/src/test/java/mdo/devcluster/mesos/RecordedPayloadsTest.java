package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mdo.testkit.Payloads;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The calls and events copied from the Mesos docs ({@code shared/reference/mesos/payloads}, see its SOURCES.md):
 * the valid calls are taken, the broken ones refused with the message a real master gives, and the events the master
 * writes have the recorded shapes (and not the shapes of the examples the docs get wrong).
 */
class RecordedPayloadsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static MesosHarness h;

  @BeforeAll
  static void start() {
    h = MesosHarness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static TestScheduler.Reply post(String body, Map<String, String> headers) {
    Request.Builder request = new Request.Builder().url(h.url + "/api/v1/scheduler")
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), TestScheduler.JSON));
    headers.forEach(request::header);
    return TestScheduler.execute(h.http, request.build());
  }

  @Test
  void theValidCallsParseAndPassValidation() {
    // As recorded they name a framework this master does not know: the next check after parsing and validation.
    for (String call : List.of("teardown_call.json", "decline_call.json", "kill_call.json", "shutdown_call.json",
        "reconcile_call.json", "reconcile_operations_call.json", "message_call.json")) {
      assertThat(post(Payloads.mesos(call), Map.of())).as(call)
          .isEqualTo(new TestScheduler.Reply(400, "Framework cannot be found", null));
    }
    // Its uuid decodes to 16 bytes whose version nibble is 8: stout's UUID::fromBytes refuses it.
    assertThat(post(Payloads.mesos("acknowledge_call.json"), Map.of()))
        .isEqualTo(new TestScheduler.Reply(400, "Failed to validate scheduler::Call: Not a valid UUID", null));
  }

  @Test
  void theValidCallsAreTakenFromASubscribedFramework() throws Exception {
    TestScheduler s = h.subscribe(framework("recorded").build(), true);
    Offer offer = s.offer();
    for (String call : List.of("decline_call.json", "kill_call.json", "shutdown_call.json", "reconcile_call.json",
        "reconcile_operations_call.json", "message_call.json", "teardown_call.json")) {
      String body = withIds(Payloads.mesos(call), s.frameworkId.getValue(), h.cluster.agentId().getValue());
      assertThat(post(body, Map.of("Mesos-Stream-Id", s.streamId)).code()).as(call).isEqualTo(202);
      switch (call) {
        case "kill_call.json" -> assertThat(s.update("12220-3440-12532-my-task").getState())
            .as("KILL of an unknown task reconciles it").isEqualTo(TaskState.TASK_GONE);
        case "reconcile_call.json" -> assertThat(s.update("312325").getState()).isEqualTo(TaskState.TASK_GONE);
        case "reconcile_operations_call.json" ->
            s.take(e -> e.getType() == Event.Type.UPDATE_OPERATION_STATUS);
        default -> { }
      }
    }
    s.awaitEnd();
    assertThat(offer).isNotNull();
  }

  /** The recorded ids, replaced by this cluster's framework and agent ids. */
  private static String withIds(String json, String frameworkId, String agentId) throws Exception {
    ObjectNode call = (ObjectNode) JSON.readTree(json);
    call.putObject("framework_id").put("value", frameworkId);
    replace(call, "agent_id", agentId);
    return JSON.writeValueAsString(call);
  }

  private static void replace(JsonNode node, String field, String value) {
    if (node.isObject()) {
      if (node.has(field)) ((ObjectNode) node).putObject(field).put("value", value);
      node.elements().forEachRemaining(child -> replace(child, field, value));
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> replace(child, field, value));
    }
  }

  @Test
  void theRecordedSubscribeIsTakenAndItsOfferConstraintsHold() {
    // Roles test1 (offers only from agents with an attribute "foo": this one has none) and test2 (suppressed).
    try (Response response = h.http.newBuilder().readTimeout(Duration.ZERO).build().newCall(new Request.Builder()
        .url(h.url + "/api/v1/scheduler").post(RequestBody.create(Payloads.mesos("subscribe_call.json")
            .getBytes(StandardCharsets.UTF_8), TestScheduler.JSON)).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      InputStream in = response.body().byteStream();
      JsonNode subscribed = JSON.readTree(TestScheduler.readRecord(in));
      assertThat(subscribed.path("type").asText()).isEqualTo("SUBSCRIBED");
      JsonNode heartbeat = JSON.readTree(TestScheduler.readRecord(in));
      assertThat(heartbeat).isEqualTo(JSON.readTree(Payloads.mesos("heartbeat_event.json")));
      // Allocation runs every 50 ms; over a second, nothing but heartbeats may come.
      long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
      while (System.nanoTime() < end) {
        assertThat(JSON.readTree(TestScheduler.readRecord(in)).path("type").asText()).isEqualTo("HEARTBEAT");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theBrokenExamplesAreRefusedAsTheMasterRefusesThem() {
    for (String invalid : List.of("revive_call.json.txt", "suppress_call.json.txt", "update_framework_call.json.txt",
        "launch_group_accept_call.json.txt", "launch_command_task_accept_call.json.txt")) {
      TestScheduler.Reply reply = post(Payloads.mesos(invalid), Map.of());
      assertThat(reply.code()).as(invalid).isEqualTo(400);
      assertThat(reply.body()).as(invalid).startsWith("Failed to parse body into JSON: syntax error at line ");
    }
    // limits values must be Value.Scalar objects; stout visits keys in sorted order and meets "cpus" first.
    assertThat(post(Payloads.mesos("accept_call.json"), Map.of())).isEqualTo(new TestScheduler.Reply(400,
        "Failed to convert JSON into Call protobuf: Not expecting a JSON string for field 'value'", null));
    assertThat(post(Payloads.mesos("acknowledge_operation_status_call.json"), Map.of())).isEqualTo(
        new TestScheduler.Reply(400, "Failed to convert JSON into Call protobuf: Not expecting a JSON string for"
            + " field 'operation_id'", null));
    // The requests sit at the top level, where the master ignores them; REQUEST then lacks its body.
    assertThat(post(Payloads.mesos("request_call.json"), Map.of())).isEqualTo(new TestScheduler.Reply(400,
        "Failed to validate scheduler::Call: Expecting 'request' to be present", null));
  }

  @Test
  void theEventsHaveTheRecordedShapes() throws Exception {
    JsonNode subscribed = JSON.readTree(Payloads.mesos("subscribed_event.json"));
    try (Response raw = TestScheduler.open(h.url, org.apache.mesos.v1.scheduler.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.scheduler.Protos.Call.Type.SUBSCRIBE).setSubscribe(
            org.apache.mesos.v1.scheduler.Protos.Call.Subscribe.newBuilder().setFrameworkInfo(
                framework("raw").setFailoverTimeout(0))).build(), true, h.http)) {
      InputStream in = raw.body().byteStream();
      JsonNode mine = JSON.readTree(TestScheduler.readRecord(in));
      assertThat(paths(mine)).containsAll(paths(subscribed));
      assertThat(mine.path("subscribed").path("master_info").path("port").isIntegralNumber()).isTrue();
      assertThat(JSON.readTree(TestScheduler.readRecord(in)))
          .isEqualTo(JSON.readTree(Payloads.mesos("heartbeat_event.json")));
      JsonNode offers = JSON.readTree(TestScheduler.readRecord(in));
      while (offers.path("type").asText().equals("HEARTBEAT")) offers = JSON.readTree(TestScheduler.readRecord(in));
      // The docs show "offers": [ ... ]; the master sends "offers": {"offers": [ ... ]}.
      assertThat(offers.path("offers").isObject()).isTrue();
      assertThat(offers.path("offers").path("offers").isArray()).isTrue();
      assertThat(JSON.readTree(Payloads.mesos("offers_event.json")).path("offers").isArray()).isTrue();
      JsonNode range = offers.path("offers").path("offers").path(0).path("resources").findValue("range").path(0);
      assertThat(range.path("begin").isIntegralNumber()).as("uint64 written as a JSON number: %s", range).isTrue();
    }

    // A JSON scheduler whose events protobuf's strict JsonFormat parser reads: no field the proto lacks.
    TestScheduler s = h.subscribe(framework("shapes").build(), true);
    Offer offer = s.offer();
    s.accept(offer, Filters.newBuilder().setRefuseSeconds(0).build(),
        commandTask(offer, "shaped", "exec sleep 30", 0.1, 32).addResources(MesosHarness.ports(offer, 37030, 37030))
            .build());
    s.ackUpdate("shaped", TaskState.TASK_STARTING);
    JsonNode recordedRunning = JSON.readTree(Payloads.mesos("task_status_running_from_operator_api.json"));
    JsonNode mine = JSON.readTree(com.google.protobuf.util.JsonFormat.printer().preservingProtoFieldNames()
        .print(s.ackUpdate("shaped", TaskState.TASK_RUNNING)));
    assertThat(paths(mine)).containsAll(paths(recordedRunning));
    s.kill("shaped", null);
    s.ackUpdate("shaped", TaskState.TASK_KILLING);
    s.ackUpdate("shaped", TaskState.TASK_KILLED);
    s.close();
  }

  /** Every path of object keys in a JSON tree, e.g. {@code subscribed.framework_id.value}. */
  private static Set<String> paths(JsonNode node) {
    Set<String> out = new HashSet<>();
    collect(node, "", out);
    return out;
  }

  private static void collect(JsonNode node, String prefix, Set<String> out) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
        out.add(path);
        collect(e.getValue(), path, out);
      }
    } else if (node.isArray()) {
      node.elements().forEachRemaining(child -> collect(child, prefix + "[]", out));
    }
  }
}
