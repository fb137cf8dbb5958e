package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static mdo.devcluster.mesos.MesosHarness.ports;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.ExecutorID;
import org.apache.mesos.v1.Protos.ExecutorInfo;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.HealthCheck;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every refusal the real master gives, with its status and body text from {@code src/master/http.cpp},
 * {@code master.cpp} and {@code validation.cpp}: request-level errors as HTTP answers, launch-level ones as
 * UPDATE events without a uuid.
 */
class StrictnessTest {
  private static final Filters NO_FILTER = Filters.newBuilder().setRefuseSeconds(0).build();
  static MesosHarness h;

  @BeforeAll
  static void start() {
    // Long enough that an offer is accepted before it times out even on a loaded machine.
    h = MesosHarness.start(s -> s.withOfferTimeout(Duration.ofSeconds(4)));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  private static TestScheduler.Reply raw(String method, String contentType, byte[] body, Map<String, String> headers) {
    Request.Builder request = new Request.Builder().url(h.url + "/api/v1/scheduler");
    RequestBody requestBody = body == null ? null
        : RequestBody.create(body, contentType == null ? null : MediaType.get(contentType));
    request.method(method, requestBody);
    if (contentType == null && body != null) request.removeHeader("Content-Type");
    headers.forEach(request::header);
    return TestScheduler.execute(h.http, request.build());
  }

  private static TestScheduler.Reply json(String body, Map<String, String> headers) {
    return raw("POST", "application/json", body.getBytes(StandardCharsets.UTF_8), headers);
  }

  @Test
  void requestsThatAreNotCallsAreRefusedBeforeAnythingElse() {
    TestScheduler.Reply get = raw("GET", null, null, Map.of());
    assertThat(get.code()).isEqualTo(405);
    assertThat(get.body()).isEqualTo("405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.");
    assertThat(get.headers().get("Allow")).isEqualTo("POST");

    assertThat(raw("POST", null, "{}".getBytes(StandardCharsets.UTF_8), Map.of()))
        .isEqualTo(reply(400, "Expecting 'Content-Type' to be present"));

    TestScheduler.Reply charset = raw("POST", "application/json; charset=utf-8",
        "{\"type\":\"SUBSCRIBE\"}".getBytes(StandardCharsets.UTF_8), Map.of());
    assertThat(charset).isEqualTo(reply(415, "Expecting 'Content-Type' of application/json or application/x-protobuf"));

    assertThat(json("{\"type\": \"SUBSCRIBE\",", Map.of()).body())
        .startsWith("Failed to parse body into JSON: syntax error at line 1 near: ");
    assertThat(json("{\"type\":\"TEARDOWN\"} trailing", Map.of()).body())
        .isEqualTo("Failed to parse body into JSON: Parsed JSON included non-whitespace trailing characters: trailing");
    assertThat(json("[1, 2]", Map.of()))
        .isEqualTo(reply(400, "Failed to convert JSON into Call protobuf: Expecting a JSON object"));

    // protobuf-java-util's default printer writes camelCase; the master matches proto names only and ignores the rest.
    assertThat(json("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"frameworkInfo\":{\"user\":\"u\",\"name\":\"n\"}}}",
        Map.of())).isEqualTo(reply(400,
        "Failed to convert JSON into Call protobuf: Missing required fields: subscribe.framework_info"));
    assertThat(json("{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":7}}}",
        Map.of())).isEqualTo(reply(400, "Failed to convert JSON into Call protobuf: Not expecting a JSON number"
        + " for field 'name'"));
    assertThat(json("{}", Map.of())).isEqualTo(reply(400, "Failed to validate scheduler::Call: Expecting 'type' to"
        + " be present"));
    // An enum name this master does not know drops the optional field: then the type is missing.
    assertThat(json("{\"type\":\"SUBSCRIBE_V2\"}", Map.of())).isEqualTo(reply(400,
        "Failed to validate scheduler::Call: Expecting 'type' to be present"));
    assertThat(json("{\"type\":\"UNKNOWN\",\"framework_id\":{\"value\":\"x\"}}", Map.of()).code()).isEqualTo(400);

    assertThat(raw("POST", "application/x-protobuf", new byte[] {(byte) 0xff, 0x01, 0x02}, Map.of()))
        .isEqualTo(reply(400, "Failed to parse body into Call protobuf"));
  }

  @Test
  void subscribeChecksTheAcceptHeaderTheStreamIdAndTheFrameworkId() throws Exception {
    String body = "{\"type\":\"SUBSCRIBE\",\"subscribe\":{\"framework_info\":{\"user\":\"u\",\"name\":\"n\"}}}";
    assertThat(json(body, Map.of("Accept", "text/html")))
        .isEqualTo(reply(406, "Expecting 'Accept' to allow 'application/x-protobuf' or 'application/json'"));
    assertThat(json(body, Map.of("Accept", "application/json;q=0, application/x-protobuf;q=0"))).extracting(
        TestScheduler.Reply::code).isEqualTo(406);
    assertThat(json(body, Map.of("Mesos-Stream-Id", "5a9a31c7-0000-4000-8000-000000000000")))
        .isEqualTo(reply(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header"));
    assertThat(json("{\"type\":\"SUBSCRIBE\",\"framework_id\":{\"value\":\"a\"},\"subscribe\":{\"framework_info\":"
        + "{\"user\":\"u\",\"name\":\"n\",\"id\":{\"value\":\"b\"}}}}", Map.of()))
        .isEqualTo(reply(400, "Failed to validate scheduler::Call: 'framework_id' differs from"
            + " 'subscribe.framework_info.id'"));
    // Accept allowing both: JSON wins.
    try (Response response = h.http.newBuilder().readTimeout(Duration.ZERO).build().newCall(new Request.Builder()
        .url(h.url + "/api/v1/scheduler").header("Accept", "application/x-protobuf, application/json")
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), TestScheduler.JSON)).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.header("Content-Type")).isEqualTo("application/json");
    }
  }

  @Test
  void frameworkLevelRefusalsAreAnErrorEventAndAClosedStream() throws Exception {
    Call badRoles = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
        .setFrameworkInfo(framework("bad").clearRoles().addRoles("«prod» eu"))).build();
    try (Response response = TestScheduler.open(h.url, badRoles, true, h.http)) {
      assertThat(response.code()).isEqualTo(200);
      byte[] record = TestScheduler.readRecord(response.body().byteStream());
      String event = new String(record, StandardCharsets.UTF_8);
      assertThat(event).isEqualTo("{\"type\":\"ERROR\",\"error\":{\"message\":\"'FrameworkInfo.roles' contains invalid"
          + " role: Role component '«prod» eu' is invalid because it contains backspace or whitespace\"}}");
      assertThat(record.length).as("RecordIO counts bytes").isGreaterThan(event.length());
      assertThat(response.body().byteStream().read()).as("stream closed after the ERROR").isEqualTo(-1);
    }
    Call suppressed = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
        .setFrameworkInfo(framework("suppressed")).addSuppressedRoles("other")).build();
    try (Response response = TestScheduler.open(h.url, suppressed, false, h.http)) {
      Event error = Event.parseFrom(TestScheduler.readRecord(response.body().byteStream()));
      assertThat(error.getError().getMessage())
          .isEqualTo("Suppressed role 'other' is not contained in the list of roles");
    }
    Call legacyRoles = Call.newBuilder().setType(Call.Type.SUBSCRIBE).setSubscribe(Call.Subscribe.newBuilder()
        .setFrameworkInfo(FrameworkInfo.newBuilder().setUser("u").setName("n").addRoles("mdo"))).build();
    try (Response response = TestScheduler.open(h.url, legacyRoles, false, h.http)) {
      Event error = Event.parseFrom(TestScheduler.readRecord(response.body().byteStream()));
      assertThat(error.getError().getMessage())
          .isEqualTo("'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable");
    }
  }

  @Test
  void callsNeedAKnownSubscribedFrameworkAndItsCurrentStreamId() {
    TestScheduler s = h.subscribe(framework("stream-ids").build());
    Call decline = s.newCall(Call.Type.DECLINE).setDecline(Call.Decline.getDefaultInstance()).build();
    assertThat(s.post(decline, Map.of())).isEqualTo(reply(400,
        "All non-subscribe calls should include the 'Mesos-Stream-Id' header"));
    assertThat(s.post(decline, Map.of("Mesos-Stream-Id", "0c3e7d6a-0000-4000-8000-000000000000"))).isEqualTo(reply(
        400, "The stream ID '0c3e7d6a-0000-4000-8000-000000000000' included in this request didn't match the stream"
            + " ID currently associated with framework ID " + s.frameworkId.getValue()));
    assertThat(s.post(decline).code()).isEqualTo(202);
    Call unknown = decline.toBuilder().setFrameworkId(FrameworkID.newBuilder().setValue("nobody")).build();
    assertThat(s.post(unknown)).isEqualTo(reply(400, "Framework cannot be found"));
    assertThat(s.post(s.newCall(Call.Type.ACKNOWLEDGE).setAcknowledge(Call.Acknowledge.newBuilder()
        .setAgentId(h.cluster.agentId()).setTaskId(TaskID.newBuilder().setValue("t"))
        .setUuid(ByteString.copyFromUtf8("not sixteen"))).build()))
        .isEqualTo(reply(400, "Failed to validate scheduler::Call: Not a valid UUID"));
    assertThat(s.post(s.newCall(Call.Type.ACCEPT).build()))
        .isEqualTo(reply(400, "Failed to validate scheduler::Call: Expecting 'accept' to be present"));

    // Disconnected: the master notices at the next write to the stream (a heartbeat at the latest).
    s.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> s.post(decline).code() == 403);
    assertThat(s.post(decline)).isEqualTo(reply(403, "Framework is not subscribed"));
  }

  @Test
  void anAcceptOfAnOfferAlreadyUsedOrRescindedDropsItsTasks() {
    TestScheduler s = h.subscribe(framework("offers").build());
    Offer offer = s.offer();
    s.accept(offer, NO_FILTER, commandTask(offer, "first", "exec sleep 30", 0.1, 32).build());
    s.ackUpdate("first", TaskState.TASK_STARTING);
    s.ackUpdate("first", TaskState.TASK_RUNNING);

    s.accept(offer, NO_FILTER, commandTask(offer, "second", "exec sleep 30", 0.1, 32).build());
    TaskStatus dropped = s.update("second");
    assertThat(dropped.getState()).isEqualTo(TaskState.TASK_DROPPED);
    assertThat(dropped.getReason()).isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS);
    assertThat(dropped.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
    assertThat(dropped.getMessage()).isEqualTo("Task launched with invalid offers: Offer " + offer.getId().getValue()
        + " is no longer valid");
    assertThat(dropped.hasUuid()).isFalse();

    // --offer_timeout rescinds an offer nobody uses; accepting it afterwards is the same mistake.
    Offer held = s.offer();
    s.take(e -> e.getType() == Event.Type.RESCIND && e.getRescind().getOfferId().equals(held.getId()));
    s.accept(held, NO_FILTER, commandTask(held, "third", "exec sleep 30", 0.1, 32).build());
    assertThat(s.update("third").getMessage()).isEqualTo("Task launched with invalid offers: Offer "
        + held.getId().getValue() + " is no longer valid");

    Offer fresh = s.offer();
    s.accept(java.util.List.of(fresh.getId(), fresh.getId()), NO_FILTER,
        commandTask(fresh, "fourth", "exec sleep 30", 0.1, 32).build());
    assertThat(s.update("fourth").getMessage()).isEqualTo("Task launched with invalid offers: Duplicate offer "
        + fresh.getId().getValue() + " in offer list");
    s.kill("first", null);
    s.ackUpdate("first", TaskState.TASK_KILLING);
    s.ackUpdate("first", TaskState.TASK_KILLED);
    s.close();
  }

  @Test
  void frameworksThatAreNotPartitionAwareGetTaskLostForInvalidOffers() {
    TestScheduler s = h.subscribe(framework("old").clearCapabilities().clearRoles().setRole("*").build());
    Offer offer = s.offer();
    s.decline(offer, 0);
    s.accept(offer, NO_FILTER, commandTask(offer, "lost", "true", 0.1, 32).build());
    TaskStatus lost = s.update("lost");
    assertThat(lost.getState()).isEqualTo(TaskState.TASK_LOST);
    assertThat(lost.getReason()).isEqualTo(TaskStatus.Reason.REASON_INVALID_OFFERS);
    s.close();
  }

  @Test
  void aLaunchBeyondTheOfferOrWithAnInvalidTaskInfoIsATaskError() {
    TestScheduler s = h.subscribe(framework("launches").build());
    Offer offer = s.offer();
    TaskInfo tooBig = commandTask(offer, "too-big", "true", 8, 64).build();
    TaskInfo badPort = commandTask(offer, "bad-port", "true", 0.1, 32).addResources(ports(offer, 40000, 40000))
        .build();
    TaskInfo slash = commandTask(offer, "a/b", "true", 0.1, 32).build();
    TaskInfo nothingToRun = commandTask(offer, "nothing", "true", 0.1, 32).clearCommand().build();
    TaskInfo executorAndCommand = commandTask(offer, "both", "true", 0.1, 32).setExecutor(ExecutorInfo.newBuilder()
        .setExecutorId(ExecutorID.newBuilder().setValue("e"))).build();
    TaskInfo noResources = commandTask(offer, "free", "true", 0, 0).clearResources().build();
    TaskInfo wrongAgent = commandTask(offer, "elsewhere", "true", 0.1, 32)
        .setAgentId(org.apache.mesos.v1.Protos.AgentID.newBuilder().setValue("S9")).build();
    TaskInfo badCheck = commandTask(offer, "bad-check", "true", 0.1, 32).setHealthCheck(HealthCheck.newBuilder()
        .setType(HealthCheck.Type.HTTP)).build();
    TaskInfo ok = commandTask(offer, "dup", "exec sleep 30", 0.1, 32).build();
    s.accept(offer, NO_FILTER, tooBig, badPort, slash, nothingToRun, executorAndCommand, noResources, wrongAgent,
        badCheck, ok, ok);

    String available = "cpus(allocated: mdo):4; mem(allocated: mdo):4096; disk(allocated: mdo):10000;"
        + " ports(allocated: mdo):[37000-37099]";
    assertError(s.update("too-big"), "Total resources cpus(allocated: mdo):8; mem(allocated: mdo):64 required by task"
        + " and its executor is more than available " + available);
    assertError(s.update("bad-port"), "Total resources cpus(allocated: mdo):0.1; mem(allocated: mdo):32;"
        + " ports(allocated: mdo):[40000-40000] required by task and its executor is more than available " + available);
    assertError(s.update("a/b"), "'a/b' contains invalid characters");
    assertError(s.update("nothing"), "Task should have at least one (but not both) of CommandInfo or ExecutorInfo"
        + " present");
    assertError(s.update("both"), "Task should have at least one (but not both) of CommandInfo or ExecutorInfo"
        + " present");
    assertError(s.update("free"), "Task uses no resources");
    assertError(s.update("elsewhere"), "Task uses invalid agent S9 while agent " + h.cluster.agentId().getValue()
        + " is expected");
    assertError(s.update("bad-check"), "Task uses invalid health check: Expecting 'http' to be set for HTTP health"
        + " check");
    // Both "dup" tasks are validated in order: the first launches, the second reuses a live id.
    s.ackUpdate("dup", TaskState.TASK_STARTING);
    assertError(s.update("dup", TaskState.TASK_ERROR), "Task has duplicate ID: dup");
    s.ackUpdate("dup", TaskState.TASK_RUNNING);
    s.kill("dup", null);
    s.ackUpdate("dup", TaskState.TASK_KILLING);
    s.ackUpdate("dup", TaskState.TASK_KILLED);
    s.close();
  }

  private static void assertError(TaskStatus status, String message) {
    assertThat(status.getState()).as("%s", status).isEqualTo(TaskState.TASK_ERROR);
    assertThat(status.getReason()).isEqualTo(TaskStatus.Reason.REASON_TASK_INVALID);
    assertThat(status.getSource()).isEqualTo(TaskStatus.Source.SOURCE_MASTER);
    assertThat(status.hasUuid()).isFalse();
    assertThat(status.getMessage()).isEqualTo(message);
  }

  private static TestScheduler.Reply reply(int code, String body) {
    return new TestScheduler.Reply(code, body, null);
  }
}
