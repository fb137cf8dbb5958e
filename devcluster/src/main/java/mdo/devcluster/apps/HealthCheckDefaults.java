package mdo.devcluster.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Set;
import mdo.devcluster.ApiException.Detail;
import mdo.devcluster.Json;

/**
 * Health check defaults and rules. The code defaults are grace 300 s, interval 60 s, timeout 20 s, 3 failures and,
 * for the checks Mesos runs, a delay of 15 s ({@code HealthCheck.scala}), not the 15/10 of old docs;
 * {@code portIndex: 0} is injected unless a port is given or the protocol is COMMAND. Interval and timeout 0 are
 * accepted, as the reader ({@code healthCheck.raml}: {@code intervalSeconds} minimum 0, {@code timeoutSeconds} no
 * minimum) and the model validator (port or portIndex only) accept them.
 */
final class HealthCheckDefaults {
  static final int GRACE_SECONDS = 300;
  static final int INTERVAL_SECONDS = 60;
  static final int TIMEOUT_SECONDS = 20;
  static final int MAX_FAILURES = 3;
  static final int DELAY_SECONDS = 15;
  /** The checks Marathon itself runs; only their port index is validated ({@code AppValidation.portIndexIsValid}). */
  private static final Set<String> MARATHON_PROTOCOLS = Set.of("HTTP", "HTTPS", "TCP");
  private static final Set<String> MESOS_PROTOCOLS = Set.of("COMMAND", "MESOS_HTTP", "MESOS_HTTPS", "MESOS_TCP");

  private HealthCheckDefaults() {}

  static ObjectNode canonical(JsonNode given, String path, int portCount, List<Detail> errors) {
    ObjectNode out = Json.object();
    String protocol = given.path("protocol").asText("HTTP");
    out.put("gracePeriodSeconds", given.path("gracePeriodSeconds").asInt(GRACE_SECONDS));
    out.put("intervalSeconds", given.path("intervalSeconds").asInt(INTERVAL_SECONDS));
    out.put("maxConsecutiveFailures", given.path("maxConsecutiveFailures").asInt(MAX_FAILURES));
    boolean command = protocol.equals("COMMAND");
    if (given.hasNonNull("port")) {
      out.put("port", given.get("port").asInt());
    } else if (!command) {
      int portIndex = given.path("portIndex").asInt(0);
      if (MARATHON_PROTOCOLS.contains(protocol) && (portIndex < 0 || portIndex >= portCount)) {
        errors.add(Detail.of(path, "Health check port indices must address an element of the ports array or"
            + " container port mappings."));
      }
      out.put("portIndex", portIndex);
    }
    out.put("timeoutSeconds", given.path("timeoutSeconds").asInt(TIMEOUT_SECONDS));
    out.put("delaySeconds", given.path("delaySeconds").asInt(DELAY_SECONDS));
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

  /**
   * Mesos runs one health check per task; {@code haveAtMostOneMesosHealthCheck} counts the MESOS_* ones beyond the
   * command checks (older apps with several COMMAND checks stay valid).
   */
  static int mesosChecksBeyondCommand(ArrayNode checks) {
    int mesos = 0;
    int command = 0;
    for (JsonNode c : checks) {
      boolean hasCommand = c.path("command").isObject();
      if (hasCommand) command++;
      if (hasCommand || MESOS_PROTOCOLS.contains(c.path("protocol").asText())) mesos++;
    }
    return mesos - command;
  }

  /** True for the checks Mesos runs on the agent, which honour {@code delaySeconds}. */
  static boolean runByMesos(String protocol) {
    return MESOS_PROTOCOLS.contains(protocol);
  }
}
