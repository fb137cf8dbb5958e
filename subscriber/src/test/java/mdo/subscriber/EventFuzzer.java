package mdo.subscriber;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import mdo.testkit.Payloads;

/**
 * Seeded garbage for the event paths (the SSE stream's {@code data:} and {@code POST /callback}), built from
 * Marathon's recorded events: truncations, required fields of the wrong type or missing, huge arrays, nesting deeper
 * than any parser should follow, random JSON and random text, and well-formed events of types the registry has no use
 * for. Each body comes with the outcome it must be counted as: malformed, or ignored. Nothing it makes names a task of
 * the environment under test, so nothing it makes may change the registry. Bodies hold no line breaks (one SSE line).
 */
final class EventFuzzer {
  enum Expect { MALFORMED, IGNORED }

  record Body(String kind, String json, Expect expect) {}

  /** The event types the parser turns into something for the registry; every other type is ignored. */
  private static final Set<String> ACTED_ON = Set.of("status_update_event", "instance_changed_event",
      "unknown_instance_terminated_event", "instance_health_changed_event", "health_status_changed_event",
      "failed_health_check_event", "unhealthy_instance_kill_event", "unhealthy_task_kill_event", "api_post_event",
      "app_terminated_event", "deployment_success", "deployment_failed", "deployment_info", "deployment_step_success",
      "deployment_step_failure");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final Random random;
  private final List<ObjectNode> recorded = new ArrayList<>();
  private final List<ObjectNode> irrelevant = new ArrayList<>();

  /** testkit's {@code reference/marathon/payloads/events/}, every file. */
  private static final List<String> RECORDED = List.of(
      "add_health_check_event.json",
      "api_post_event.json",
      "app_terminated_event.json",
      "deployment_failed.json",
      "deployment_info.heavy-1.4.json",
      "deployment_info.json",
      "deployment_step_failure.heavy-1.4.json",
      "deployment_step_failure.json",
      "deployment_step_success.heavy-1.4.json",
      "deployment_step_success.json",
      "deployment_success.json",
      "event_stream_attached.docs-inaccurate.json",
      "event_stream_attached.json",
      "event_stream_attached.sse-legacy.json",
      "event_stream_detached.docs-inaccurate.json",
      "failed_health_check_event.json",
      "framework_message_event.json",
      "group_change_failed.json",
      "group_change_success.json",
      "group_change_success.sse-legacy.json",
      "health_status_changed_event.json",
      "health_status_changed_event.pre-1.4.json",
      "instance_changed_event.json",
      "instance_health_changed_event.changelog-1.4.json",
      "instance_health_changed_event.json",
      "pod_created_event.json",
      "pod_deleted_event.json",
      "pod_updated_event.json",
      "remove_health_check_event.json",
      "status_update_event.json",
      "status_update_event.sse-task-failed.json",
      "status_update_event.sse-task-running.json",
      "subscribe_event.json",
      "unhealthy_instance_kill_event.json",
      "unhealthy_task_kill_event.json",
      "unknown_instance_terminated_event.json",
      "unsubscribe_event.json");

  EventFuzzer(long seed) {
    this.random = new Random(seed);
    for (String name : RECORDED) {
      ObjectNode e = Payloads.marathonJson("events/" + name);
      recorded.add(e);
      if (e.path("timestamp").isTextual() && !ACTED_ON.contains(e.path("eventType").asText())) irrelevant.add(e);
    }
  }

  Body next() {
    int dice = random.nextInt(100);
    if (dice < 25) return truncated();
    if (dice < 45) return wrongType();
    if (dice < 47) return hugeArray();
    if (dice < 52) return deeplyNested();
    if (dice < 67) return new Body("random JSON", randomObjectWithoutType().toString(), Expect.MALFORMED);
    if (dice < 77) return randomText();
    return irrelevantEvent();
  }

  /** A proper prefix of a recorded event: never JSON (an object only ends with its last brace). */
  private Body truncated() {
    String full = pick(recorded).toString();
    String cut = full.substring(0, 1 + random.nextInt(full.length() - 1));
    return new Body("truncated", cut, Expect.MALFORMED);
  }

  /** A recorded event whose eventType or timestamp is missing, of the wrong type, or not a time. */
  private Body wrongType() {
    ObjectNode e = pick(recorded).deepCopy();
    String field = random.nextBoolean() ? "eventType" : "timestamp";
    switch (random.nextInt(4)) {
      case 0 -> e.remove(field);
      case 1 -> e.putNull(field);
      case 2 -> e.set(field, random.nextBoolean() ? randomObjectWithoutType() : randomArray(0));
      default -> {
        if (field.equals("eventType")) e.set(field, randomArray(0)); // a number or a word would be a type name
        else if (random.nextBoolean()) e.put(field, random.nextLong());
        else e.put(field, letters(1 + random.nextInt(20)));
      }
    }
    return new Body("wrong type: " + field, e.toString(), Expect.MALFORMED);
  }

  /** Tens of thousands of numbers: at the top (not an object) or as the event type. */
  private Body hugeArray() {
    ArrayNode huge = NODES.arrayNode();
    int size = 20_000 + random.nextInt(20_000);
    for (int i = 0; i < size; i++) huge.add(random.nextInt());
    if (random.nextBoolean()) return new Body("huge array", huge.toString(), Expect.MALFORMED);
    ObjectNode e = pick(recorded).deepCopy();
    e.set("eventType", huge);
    return new Body("huge array as eventType", e.toString(), Expect.MALFORMED);
  }

  /** An event with a field nested past Jackson's limit (1,000 levels). */
  private Body deeplyNested() {
    int depth = 1_500 + random.nextInt(3_000);
    StringBuilder b = new StringBuilder(
        "{\"eventType\":\"fuzz_nested\",\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"x\":");
    b.append("[".repeat(depth)).append("]".repeat(depth)).append('}');
    return new Body("deep nesting", b.toString(), Expect.MALFORMED);
  }

  /** Printable ASCII: not JSON, or JSON that is not an event object. */
  private Body randomText() {
    StringBuilder b = new StringBuilder();
    int n = 1 + random.nextInt(200);
    for (int i = 0; i < n; i++) b.append((char) (0x21 + random.nextInt(0x7e - 0x21)));
    return new Body("random text", b.toString(), Expect.MALFORMED);
  }

  /** Well-formed, and of no use to the registry: a recorded event of another kind, or a type Marathon never sends. */
  private Body irrelevantEvent() {
    if (random.nextBoolean()) return new Body("irrelevant recorded", pick(irrelevant).toString(), Expect.IGNORED);
    ObjectNode e = randomObjectWithoutType();
    e.put("eventType", "fuzz_" + letters(1 + random.nextInt(12)));
    e.put("timestamp", "2026-01-01T00:00:00.000Z");
    return new Body("unknown type", e.toString(), Expect.IGNORED);
  }

  private ObjectNode randomObjectWithoutType() {
    ObjectNode o = NODES.objectNode();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) o.set("k" + letters(1 + random.nextInt(8)), randomValue(1));
    return o;
  }

  private ArrayNode randomArray(int depth) {
    ArrayNode a = NODES.arrayNode();
    int n = random.nextInt(6);
    for (int i = 0; i < n; i++) a.add(randomValue(depth + 1));
    return a;
  }

  private JsonNode randomValue(int depth) {
    int kind = random.nextInt(depth > 4 ? 5 : 7);
    return switch (kind) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(random.nextGaussian() * 1e6);
      case 3 -> NODES.numberNode(random.nextLong());
      case 4 -> NODES.textNode(unicode(random.nextInt(30)));
      case 5 -> randomArray(depth);
      default -> {
        ObjectNode o = NODES.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) o.set(letters(1 + random.nextInt(6)), randomValue(depth + 1));
        yield o;
      }
    };
  }

  private String letters(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) b.append((char) ('a' + random.nextInt(26)));
    return b.toString();
  }

  /** Any code points, control characters and surrogate pairs included: Jackson escapes what JSON needs escaped. */
  private String unicode(int n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < n; i++) {
      int cp = random.nextInt(10) == 0 ? random.nextInt(0x20) : random.nextInt(0x10FFFF);
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
      b.appendCodePoint(cp);
    }
    return b.toString();
  }

  private <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }
}
