package mdo.mesos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * The recorded Mesos payloads ({@code reference/mesos/payloads/}, copied from the Mesos docs) as protobuf messages,
 * read with the production {@link JsonCodec}. Where a recorded example is known to be wrong (SOURCES.md), the one
 * documented correction is applied and named here; nothing else is made up.
 */
public final class MesosPayloads {
  public static final JsonCodec<Event> EVENTS = new JsonCodec<>(Event.getDefaultInstance());
  public static final JsonCodec<Call> CALLS = new JsonCodec<>(Call.getDefaultInstance());
  public static final JsonCodec<TaskStatus> STATUSES = new JsonCodec<>(TaskStatus.getDefaultInstance());
  /** The framework id in {@code subscribed_event.json}: what the stub master assigns. */
  public static final String RECORDED_FRAMEWORK_ID = "12220-3440-12532-2345";
  private static final ObjectMapper JSON = new ObjectMapper();

  private MesosPayloads() {}

  /** The payloads directory in the source tree (surefire sets {@code mdo.repo.root}). */
  public static Path directory() {
    String root = System.getProperty("mdo.repo.root");
    if (root == null) throw new IllegalStateException("mdo.repo.root is not set; run the tests through Maven");
    return Path.of(root, "testkit/src/main/resources/reference/mesos/payloads");
  }

  public static byte[] bytes(String file) {
    try {
      return Files.readAllBytes(directory().resolve(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Event event(String file) {
    return decode(EVENTS, Payloads.mesos(file));
  }

  public static Call call(String file) {
    return decode(CALLS, Payloads.mesos(file));
  }

  /** {@code subscribed_event.json} for the given framework, with a heartbeat interval a test can wait for. */
  public static Event subscribed(String frameworkId, double heartbeatSeconds) {
    Event recorded = event("subscribed_event.json");
    return recorded.toBuilder().setSubscribed(recorded.getSubscribed().toBuilder()
        .setFrameworkId(FrameworkID.newBuilder().setValue(frameworkId))
        .setHeartbeatIntervalSeconds(heartbeatSeconds)).build();
  }

  public static Event heartbeat() {
    return event("heartbeat_event.json");
  }

  /**
   * {@code offers_event.json} with its one documented fault fixed: the doc puts the offer array directly under
   * {@code offers}, the proto wraps it ({@code "offers": {"offers": [...]}}, scheduler.proto Event.Offers).
   */
  public static Event offers() {
    try {
      ObjectNode event = (ObjectNode) JSON.readTree(Payloads.mesos("offers_event.json"));
      JsonNode list = event.remove("offers");
      event.putObject("offers").set("offers", list);
      return decode(EVENTS, JSON.writeValueAsString(event));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The recorded offer ({@code offers_event.json}: agent {@code agent.host}, role {@code engineering}) carrying the
   * recorded agent resources of {@code agent_resources_example.json}, each with the identity the recorded offer's
   * resources have ({@code allocation_info} of the offer's role, {@code role: "*"}).
   */
  public static Offer offerWithAgentResources() {
    try {
      ObjectNode offer = (ObjectNode) JSON.readTree(Payloads.mesos("offers_event.json")).get("offers").get(0);
      JsonNode allocation = offer.get("allocation_info");
      ArrayNode resources = offer.putArray("resources");
      for (JsonNode r : JSON.readTree(Payloads.mesos("agent_resources_example.json"))) {
        ObjectNode resource = ((ObjectNode) r).deepCopy();
        resource.set("allocation_info", allocation.deepCopy());
        if (!resource.has("role")) resource.put("role", "*");
        resources.add(resource);
      }
      return decode(new JsonCodec<>(Offer.getDefaultInstance()), JSON.writeValueAsString(offer));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code accept_call.json} without its one fault, the {@code limits} map of bare values (SOURCES.md). */
  public static Call acceptCall() {
    try {
      ObjectNode call = (ObjectNode) JSON.readTree(Payloads.mesos("accept_call.json"));
      ((ObjectNode) call.at("/accept/operations/0/launch/task_infos/0")).remove("limits");
      return decode(CALLS, JSON.writeValueAsString(call));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An UPDATE carrying the genuine master-serialised {@code task_status_running_from_operator_api.json}. */
  public static Event update() {
    TaskStatus status = decode(STATUSES, Payloads.mesos("task_status_running_from_operator_api.json"));
    return Event.newBuilder().setType(Event.Type.UPDATE).setUpdate(Event.Update.newBuilder().setStatus(status)).build();
  }

  /** An ERROR in the shape the master really sends ({@code {"error": {"message": ...}}}, evolve.cpp), not the doc's. */
  public static Event error(String message) {
    return Event.newBuilder().setType(Event.Type.ERROR).setError(Event.Error.newBuilder().setMessage(message)).build();
  }

  /** RecordIO framing of the given records, as stout's {@code recordio::encode} writes it. */
  public static byte[] frame(List<byte[]> records) {
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
