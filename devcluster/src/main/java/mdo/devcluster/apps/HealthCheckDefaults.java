package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.Json;

/**
 * Health check defaults and rules. The code defaults are grace 300 s, interval 60 s, timeout 20 s, 3 failures
 * ({@code HealthCheck.scala@HEAD}), not the 15/10 of old docs; {@code portIndex: 0} is injected unless a port is
 * given or the protocol is COMMAND.
 */
final class HealthCheckDefaults {
  static final int GRACE_SECONDS = 300;
  static final int INTERVAL_SECONDS = 60;
  static final int TIMEOUT_SECONDS = 20;
  static final int MAX_FAILURES = 3;
  static final int DELAY_SECONDS = 15;

  private HealthCheckDefaults() {}

  static ObjectNode canonical(JsonNode given, String path, int portCount, List<Detail> errors) {
    ObjectNode out = Json.object();
    String protocol = given.path("protocol").asText("HTTP");
    if (!Canonicalizer.HEALTH_PROTOCOLS.contains(protocol)) {
      errors.add(Detail.of(path + "/protocol", "must be one of " + String.join(", ", Canonicalizer.HEALTH_PROTOCOLS)));
    }
    double grace = given.path("gracePeriodSeconds").asDouble(GRACE_SECONDS);
    double interval = given.path("intervalSeconds").asDouble(INTERVAL_SECONDS);
    double timeout = given.path("timeoutSeconds").asDouble(TIMEOUT_SECONDS);
    int maxFailures = given.path("maxConsecutiveFailures").asInt(MAX_FAILURES);
    if (grace < 0) errors.add(Detail.of(path + "/gracePeriodSeconds", "got " + grace + ", expected 0 or more"));
    if (interval <= 0) errors.add(Detail.of(path + "/intervalSeconds", "got " + interval + ", expected more than 0"));
    if (timeout <= 0) errors.add(Detail.of(path + "/timeoutSeconds", "got " + timeout + ", expected more than 0"));
    if (maxFailures < 0) errors.add(Detail.of(path + "/maxConsecutiveFailures", "got " + maxFailures + ", expected 0 or more"));
    putNumber(out, "gracePeriodSeconds", grace);
    putNumber(out, "intervalSeconds", interval);
    out.put("maxConsecutiveFailures", maxFailures);
    boolean command = protocol.equals("COMMAND");
    if (given.hasNonNull("port")) {
      out.put("port", given.get("port").asInt());
    } else if (!command) {
      int portIndex = given.path("portIndex").asInt(0);
      if (portIndex < 0 || portIndex >= portCount) {
        errors.add(Detail.of(path, "Health check port indices must address an element of the ports array or"
            + " container port mappings."));
      }
      out.put("portIndex", portIndex);
    }
    putNumber(out, "timeoutSeconds", timeout);
    putNumber(out, "delaySeconds", given.path("delaySeconds").asDouble(DELAY_SECONDS));
    out.put("protocol", protocol);
    if (protocol.contains("HTTP")) {
      out.put("path", given.path("path").asText("/"));
      if (!protocol.startsWith("MESOS")) out.put("ignoreHttp1xx", given.path("ignoreHttp1xx").asBoolean(false));
    }
    if (command) {
      JsonNode value = given.path("command").path("value");
      if (!value.isTextual() || value.asText().isBlank()) {
        errors.add(Detail.of(path + "/command", "a COMMAND health check needs command.value"));
      }
      out.set("command", Json.object().put("value", value.asText("")));
    } else {
      out.set("command", NullNode.getInstance());
    }
    return out;
  }

  /** Whole seconds print as integers, as Marathon's Int fields do. */
  private static void putNumber(ObjectNode out, String field, double value) {
    if (value == Math.rint(value)) {
      out.put(field, (long) value);
    } else {
      out.put(field, value);
    }
  }
}
