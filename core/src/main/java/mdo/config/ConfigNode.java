package mdo.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mdo.command.Durations;

/**
 * A node of config.yaml with its dotted field name and line. The typed readers record a problem (never throw) and
 * return {@code null} on a wrong type, so one run reports every mistake in the file.
 */
final class ConfigNode {
  final Problems problems;
  final String field;
  final JsonNode value;
  private final YamlDocument doc;
  private final String pointer;

  ConfigNode(YamlDocument doc, Problems problems, String field, String pointer, JsonNode value) {
    this.doc = doc;
    this.problems = problems;
    this.field = field;
    this.pointer = pointer;
    this.value = value;
  }

  static ConfigNode root(YamlDocument doc, Problems problems) {
    return new ConfigNode(doc, problems, "", "", doc.root);
  }

  int line() {
    return doc.line(pointer);
  }

  void error(String message) {
    problems.add(line(), field, message);
  }

  void warn(String message) {
    problems.warn(line(), field, message);
  }

  boolean has(String key) {
    return value != null && value.has(key) && !value.get(key).isNull();
  }

  /** The child, or a node holding {@code null} (whose readers return their defaults) when it is absent. */
  ConfigNode get(String key) {
    String name = field.isEmpty() ? key : field + "." + key;
    return new ConfigNode(doc, problems, name, pointer + "/" + escape(key), value == null ? null : value.get(key));
  }

  private ConfigNode element(int index) {
    return new ConfigNode(doc, problems, field + "[" + index + "]", pointer + "/" + index, value.get(index));
  }

  boolean isMissing() {
    return value == null || value.isNull();
  }

  /** Reports keys not in {@code allowed}, suggesting the closest allowed one. Returns false if this is no mapping. */
  boolean expectKeys(List<String> allowed) {
    if (isMissing()) return true;
    if (!value.isObject()) {
      error("expected a mapping (key: value lines), got " + describe(value));
      return false;
    }
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed.contains(key)) {
        String hint = Suggest.closest(key, allowed).map(s -> " (did you mean '" + s + "'?)").orElse("");
        get(key).error("unknown key '" + key + "'" + hint + "; allowed: " + String.join(", ", allowed));
      }
    }
    return true;
  }

  /** A scalar as text: numbers and booleans are accepted and written as YAML shows them. */
  String text() {
    if (isMissing()) return null;
    if (value.isValueNode()) return value.asText();
    error("expected a single value, got " + describe(value));
    return null;
  }

  String text(String dflt) {
    String s = text();
    return s == null ? dflt : s;
  }

  Integer integer() {
    if (isMissing()) return null;
    if (value.isIntegralNumber() && value.canConvertToInt()) return value.intValue();
    error("expected a whole number, got " + describe(value));
    return null;
  }

  Double number() {
    if (isMissing()) return null;
    if (value.isNumber()) return value.doubleValue();
    error("expected a number, got " + describe(value));
    return null;
  }

  /** {@code 30s}, {@code 2m}, {@code 1h}, {@code 500ms}, or a number of seconds. */
  Duration duration() {
    if (isMissing()) return null;
    if (value.isNumber() && value.doubleValue() >= 0) return Duration.ofMillis(Math.round(value.doubleValue() * 1000));
    if (value.isTextual()) {
      try {
        return Durations.parse(value.asText());
      } catch (IllegalArgumentException e) {
        error(e.getMessage());
        return null;
      }
    }
    error("expected a duration such as 30s, 2m, 1h or a number of seconds, got " + describe(value));
    return null;
  }

  /** A list; a single scalar is read as a one-element list. */
  List<ConfigNode> list() {
    if (isMissing()) return List.of();
    if (value.isValueNode()) return List.of(this);
    if (!value.isArray()) {
      error("expected a list, got " + describe(value));
      return List.of();
    }
    List<ConfigNode> out = new ArrayList<>();
    for (int i = 0; i < value.size(); i++) out.add(element(i));
    return out;
  }

  List<String> textList() {
    List<String> out = new ArrayList<>();
    for (ConfigNode n : list()) {
      String s = n.text();
      if (s != null) out.add(s);
    }
    return out;
  }

  /** A mapping's entries in file order. */
  Map<String, ConfigNode> entries() {
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    if (isMissing()) return out;
    if (!value.isObject()) {
      error("expected a mapping (key: value lines), got " + describe(value));
      return out;
    }
    value.fieldNames().forEachRemaining(k -> out.put(k, get(k)));
    return out;
  }

  /** A string-to-string mapping (env, labels): numbers such as {@code MIN_NODES: 2} become {@code "2"}. */
  Map<String, String> textMap() {
    Map<String, String> out = new LinkedHashMap<>();
    entries().forEach((k, node) -> {
      if (node.value == null || node.value.isNull()) {
        node.error("has no value; write " + k + ": \"\" for an empty one");
      } else {
        String s = node.text();
        if (s != null) out.put(k, s);
      }
    });
    return out;
  }

  static String describe(JsonNode node) {
    if (node.isObject()) return "a mapping";
    if (node.isArray()) return "a list";
    if (node.isTextual()) return "'" + node.asText() + "'";
    return node.toString();
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
