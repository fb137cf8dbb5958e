package mdo.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@link InstanceRecord} JSON with Jackson's streaming parser alone. The guest CLI uses this instead of
 * {@link RegistryJson#MAPPER}: jackson-databind's start-up (hundreds of classes, reflection over the record) was a
 * quarter of a cold {@code guestutils node-list}. Same result as the databind mapping (a test holds them equal):
 * unknown fields are skipped, missing ones take the record's defaults.
 */
public final class InstanceRecordReader {
  private static final JsonFactory FACTORY = new JsonFactory();

  private InstanceRecordReader() {}

  /** The record, or an {@link IllegalArgumentException} naming the key. */
  public static InstanceRecord read(byte[] json, String key) {
    try (JsonParser p = FACTORY.createParser(json)) {
      return read(p);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed registry value at " + key + ": " + e.getMessage(), e);
    }
  }

  public static JsonFactory factory() {
    return FACTORY;
  }

  private static InstanceRecord read(JsonParser p) throws IOException {
    expect(p.nextToken(), JsonToken.START_OBJECT, p);
    String service = null, taskId = null, instanceId = null, host = null, state = null;
    String appId = null, appVersion = null, agentId = null, startedAt = null, eventTimestamp = null;
    int ordinal = 0;
    Boolean healthy = null;
    boolean draining = false;
    Map<String, PortMapping> ports = null;
    Map<String, String> labels = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken t = p.nextToken();
      switch (field) {
        case "service" -> service = text(p, t);
        case "taskId" -> taskId = text(p, t);
        case "instanceId" -> instanceId = text(p, t);
        case "ordinal" -> ordinal = t == JsonToken.VALUE_NULL ? 0 : p.getValueAsInt();
        case "host" -> host = text(p, t);
        case "ports" -> ports = ports(p, t);
        case "labels" -> labels = labels(p, t);
        case "state" -> state = text(p, t);
        case "healthy" -> healthy = t == JsonToken.VALUE_NULL ? null : p.getValueAsBoolean();
        case "draining" -> draining = t != JsonToken.VALUE_NULL && p.getValueAsBoolean();
        case "appId" -> appId = text(p, t);
        case "appVersion" -> appVersion = text(p, t);
        case "agentId" -> agentId = text(p, t);
        case "startedAt" -> startedAt = text(p, t);
        case "eventTimestamp" -> eventTimestamp = text(p, t);
        default -> p.skipChildren();
      }
    }
    return new InstanceRecord(service, taskId, instanceId, ordinal, host, ports, labels, state, healthy, draining, appId,
        appVersion, agentId, startedAt, eventTimestamp);
  }

  private static Map<String, PortMapping> ports(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) return null;
    expect(t, JsonToken.START_OBJECT, p);
    Map<String, PortMapping> ports = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      expect(p.nextToken(), JsonToken.START_OBJECT, p);
      int hostPort = 0, containerPort = 0;
      String protocol = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken v = p.nextToken();
        switch (field) {
          case "host" -> hostPort = p.getValueAsInt();
          case "container" -> containerPort = p.getValueAsInt();
          case "protocol" -> protocol = text(p, v);
          default -> p.skipChildren();
        }
      }
      ports.put(name, new PortMapping(hostPort, containerPort, protocol));
    }
    return ports;
  }

  private static Map<String, String> labels(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) return null;
    expect(t, JsonToken.START_OBJECT, p);
    Map<String, String> labels = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
        throw new IOException("label " + name + " is not a string");
      }
      labels.put(name, text(p, v));
    }
    return labels;
  }

  private static String text(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NULL) return null;
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) throw new IOException("expected a value at " + p.currentName());
    return p.getValueAsString();
  }

  private static void expect(JsonToken actual, JsonToken wanted, JsonParser p) throws IOException {
    if (actual != wanted) throw new IOException("expected " + wanted + " but found " + actual + " at " + p.currentLocation());
  }
}
