package mdo.marathon;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What Marathon's launch queue ({@code GET /v2/queue}, 1.4+) says of an app short of instances: how many wait, since
 * when, the launch delay after failures, and why the last offers were declined.
 *
 * @param count instances waiting to be launched
 * @param delaySeconds what is left of the launch delay (backoff after failed tasks); 0 when none
 * @param declined per reason in Marathon's order ({@code rejectSummaryLastOffers}, e.g. {@code InsufficientPorts}), how
 *     many of the last offers it declined; only reasons that declined any
 * @param offers the last offers Marathon weighed against it ({@code processedOffersCount})
 */
public record Waiting(String appId, int count, String since, long delaySeconds, Map<String, Integer> declined,
    int offers) {

  public Waiting {
    declined = Collections.unmodifiableMap(new LinkedHashMap<>(declined));
  }

  /** An entry of {@code GET /v2/queue}. */
  static Waiting from(JsonNode entry) {
    Map<String, Integer> declined = new LinkedHashMap<>();
    JsonNode summary = entry.path("processedOffersSummary");
    for (JsonNode r : summary.path("rejectSummaryLastOffers")) {
      int n = r.path("declined").asInt(0);
      if (n > 0) declined.put(r.path("reason").asText("unknown"), n);
    }
    return new Waiting(entry.path("app").path("id").asText(), entry.path("count").asInt(0),
        entry.path("since").asText(null), Math.max(0, entry.path("delay").path("timeLeftSeconds").asLong(0)), declined,
        summary.path("processedOffersCount").asInt(0));
  }

  /** {@code "1 instance waiting: InsufficientPorts on 1 offer"}, or with the launch delay when one holds it back. */
  public String summary() {
    StringBuilder sb = new StringBuilder().append(count).append(count == 1 ? " instance" : " instances")
        .append(" waiting");
    StringJoiner reasons = new StringJoiner(", ", ": ", "");
    reasons.setEmptyValue("");
    declined.forEach((reason, n) -> reasons.add(reason + " on " + n + (n == 1 ? " offer" : " offers")));
    sb.append(reasons);
    if (delaySeconds > 0) {
      sb.append(declined.isEmpty() ? ": " : "; ").append("launch delayed ").append(delaySeconds)
          .append(" s after failures");
    } else if (declined.isEmpty()) {
      sb.append(offers == 0 ? ": no offer yet" : ": no offer declined");
    }
    return sb.toString();
  }
}
