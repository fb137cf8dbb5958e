package mdo.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registry contents at the sizes users run, for scale tests and benchmarks: instance records shaped and sized as the
 * subscriber writes them for a real service (a task id of Marathon 1.8+, an EC2-style host name, three named ports,
 * Marathon labels a team sets, about 750 bytes each), written straight into etcd through its JSON gateway.
 *
 * <p>The layout is the registry's wire format (DESIGN.md, "Registry layout"); the records themselves belong to
 * guestutils' {@code InstanceRecord}, which every reader decodes them with.
 */
public final class RegistryFixture {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int PER_TXN = 100;

  private RegistryFixture() {}

  public static String taskId(String env, String service, int n) {
    return env + "_" + service + ".instance-" + String.format("%08x-7d3b-11ee-b9d1-%012x", n, n) + "._app.1";
  }

  public static String key(String env, String service, int n) {
    return "/mdo/" + env + "/services/" + service + "/instances/" + taskId(env, service, n);
  }

  /** Instance {@code n} of {@code service} (ordinal {@code n}) as the subscriber writes it. */
  public static ObjectNode record(String env, String service, int n) {
    String taskId = taskId(env, service, n);
    ObjectNode r = JSON.createObjectNode();
    r.put("service", service).put("taskId", taskId)
        .put("instanceId", taskId.substring(0, taskId.length() - "._app.1".length())).put("ordinal", n)
        .put("host", String.format("ip-10-%d-%d-%d.ec2.internal", n >> 16 & 255, n >> 8 & 255, n & 255));
    ObjectNode ports = r.putObject("ports");
    ports.putObject("storage").put("host", 31000 + n % 1000).put("container", 7000).put("protocol", "tcp");
    ports.putObject("native").put("host", 32000 + n % 1000).put("container", 9042).put("protocol", "tcp");
    ports.putObject("jmx").put("host", 33000 + n % 1000).put("container", 7199).put("protocol", "tcp");
    ObjectNode labels = r.putObject("labels");
    labels.put("MDO_SERVICE", service).put("MDO_ENVIRONMENT", env).put("team", "storage-platform")
        .put("rack", "r" + n % 4);
    r.put("state", "TASK_RUNNING").put("healthy", true).put("draining", false).put("appId", "/" + env + "/" + service)
        .put("appVersion", "2026-01-01T00:00:00.000Z")
        .put("agentId", String.format("ba2b4f2b-64de-4b8e-9b46-3c1d7e5f%04x-S%d", n % 65536, n % 97))
        .put("startedAt", "2026-01-01T00:00:05.000Z").put("eventTimestamp", "2026-01-01T00:00:05.000Z");
    return r;
  }

  /** Records {@code from} to {@code from + count - 1} of {@code service}, by key, as JSON. */
  public static Map<String, String> records(String env, String service, int from, int count) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int n = from; n < from + count; n++) out.put(key(env, service, n), record(env, service, n).toString());
    return out;
  }

  /** Writes every key with its value, {@value #PER_TXN} per transaction, through etcd's JSON gateway. */
  public static void putAll(String etcdEndpoint, Map<String, String> values) {
    List<Map.Entry<String, String>> entries = List.copyOf(values.entrySet());
    for (int from = 0; from < entries.size(); from += PER_TXN) {
      ObjectNode txn = JSON.createObjectNode();
      ArrayNode success = txn.putArray("success");
      for (Map.Entry<String, String> e : entries.subList(from, Math.min(entries.size(), from + PER_TXN))) {
        success.addObject().putObject("request_put").put("key", b64(e.getKey())).put("value", b64(e.getValue()));
      }
      post(etcdEndpoint, "/v3/kv/txn", txn.toString());
    }
  }

  /** Deletes every key under {@code prefix}. */
  public static void deletePrefix(String etcdEndpoint, String prefix) {
    String end = prefix.substring(0, prefix.length() - 1) + (char) (prefix.charAt(prefix.length() - 1) + 1);
    post(etcdEndpoint, "/v3/kv/deleterange",
        JSON.createObjectNode().put("key", b64(prefix)).put("range_end", b64(end)).toString());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void post(String endpoint, String path, String body) {
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + path).toURL().openConnection();
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setConnectTimeout(10_000);
      c.setReadTimeout(30_000);
      c.setRequestProperty("Content-Type", "application/json");
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      int code = c.getResponseCode();
      InputStream in = code == 200 ? c.getInputStream() : c.getErrorStream();
      String answer = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      if (code != 200) throw new IllegalStateException("etcd " + path + " answered " + code + ": " + answer);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
