package mdo.mesos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mdo.testkit.Payloads;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The recorded Mesos payloads ({@code reference/mesos/payloads/}, copied from the Mesos docs) as protobuf messages,
 * read with the production {@link JsonCodec}. Where a recorded example is known to be wrong (SOURCES.md), the one
 * documented correction is applied and named here; nothing else is made up.
 */
final class MesosPayloads {
  static final JsonCodec<Event> EVENTS = new JsonCodec<>(Event.getDefaultInstance());
  static final JsonCodec<Call> CALLS = new JsonCodec<>(Call.getDefaultInstance());
  static final JsonCodec<TaskStatus> STATUSES = new JsonCodec<>(TaskStatus.getDefaultInstance());
  /** The framework id in {@code subscribed_event.json}: what the stub master assigns. */
  static final String RECORDED_FRAMEWORK_ID = "12220-3440-12532-2345";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MesosPayloads() {}

  /** The payloads directory in the source tree (surefire sets {@code mdo.repo.root}). */
  static Path directory() {
    String root = System.getProperty("mdo.repo.root");
    if (root == null) throw new IllegalStateException("mdo.repo.root is not set; run the tests through Maven");
    return Path.of(root, "testkit/src/main/resources/reference/mesos/payloads");
  }

  static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(directory().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Event event(String file) {
    return decode(EVENTS, Payloads.mesos(file));
  }

  static Call call(String file) {
    return decode(CALLS, Payloads.mesos(file));
  }

  /** {@code subscribed_event.json} for the given framework, with a heartbeat interval a test can wait for. */
  static Event subscribed(String frameworkId, double heartbeatSeconds) {
    Event recorded = event("subscribed_event.json");
    return recorded.toBuilder().setSubscribed(recorded.getSubscribed().toBuilder()
        .setFrameworkId(FrameworkID.newBuilder().setValue(frameworkId))
        .setHeartbeatIntervalSeconds(heartbeatSeconds)).build();
  }

  static Event heartbeat() {
    return event("heartbeat_event.json");
  }

  /**
   * {@code offers_event.json} with its one documented fault fixed: the doc puts the offer array directly under
   * {@code offers}, the proto wraps it ({@code "offers": {"offers": [...]}}, scheduler.proto Event.Offers).
   */
  static Event offers() {
    try {
      ObjectNode event = (ObjectNode) JSON.readTree(Payloads.mesos("offers_event.json"));
      com.fasterxml.jackson.databind.JsonNode list = event.remove("offers");
      event.putObject("offers").set("offers", list);
      return decode(EVENTS, JSON.writeValueAsString(event));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An UPDATE carrying the genuine master-serialised {@code task_status_running_from_operator_api.json}. */
  static Event update() {
    TaskStatus status = decode(STATUSES, Payloads.mesos("task_status_running_from_operator_api.json"));
    return Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(status)).build();
  }

  /** An ERROR in the shape the master really sends ({@code {"error": {"message": ...}}}, evolve.cpp), not the doc's. */
  static Event error(String message) {
    return Event.newBuilder().setType(Event.Type.ERROR).setError(Event.Error.newBuilder().setMessage(message)).build();
  }

  /** RecordIO framing of the given records, as stout's {@code recordio::encode} writes it. */
  static byte[] frame(List<byte[]> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] record : records) {
      out.writeBytes((record.length + "\n").getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(record);
    }
    return out.toByteArray();
  }

  private static <T extends com.google.protobuf.Message> T decode(JsonCodec<T> codec, String json) {
    try {
      return codec.decode(json.getBytes(StandardCharsets.UTF_8));
    } catch (MalformedMessageException e) {
      throw new IllegalStateException(e);
    }
  }
}
