package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mdo.devcluster.Json;

/**
 * What {@code /v2/queue} reports as {@code processedOffersSummary} for one app's launch attempt (Marathon's
 * {@code OfferMatchStatistics}, {@code raml/QueueInfoConversion.scala}): offers processed and unused since the attempt
 * began, and per reason of the funnel how many were declined. With one agent the "last offers" summary is the last
 * offer's verdict.
 */
final class OfferStats {
  /** {@code NoOfferMatchReason.reasonFunnel}: a declined offer counts under the first reason that applies. */
  static final List<String> FUNNEL = List.of("UnfulfilledRole", "UnfulfilledConstraint",
      "NoCorrespondingReservationFound", "AgentMaintenance", "InsufficientCpus", "InsufficientMemory",
      "InsufficientDisk", "InsufficientGpus", "InsufficientPorts", "DeclinedScarceResources");

  private int processed;
  private int unused;
  private Instant lastUnusedAt;
  private Instant lastUsedAt;
  private final Map<String, Integer> declined = new HashMap<>();
  private Placement.Rejection lastRejection;

  void used(Instant at) {
    processed++;
    lastUsedAt = at;
    lastRejection = null;
  }

  void declined(Placement.Rejection rejection, Instant at) {
    processed++;
    unused++;
    lastUnusedAt = at;
    lastRejection = rejection;
    declined.merge(rejection.reason(), 1, Integer::sum);
  }

  /** The launch attempt is over (nothing left to launch): the next one starts from zero. */
  void reset() {
    processed = 0;
    unused = 0;
    lastUnusedAt = null;
    lastUsedAt = null;
    declined.clear();
    lastRejection = null;
  }

  Placement.Rejection lastRejection() {
    return lastRejection;
  }

  Instant lastUnusedAt() {
    return lastUnusedAt;
  }

  ObjectNode summary() {
    ObjectNode out = Json.object();
    out.put("processedOffersCount", processed);
    out.put("unusedOffersCount", unused);
    if (lastUnusedAt != null) out.put("lastUnusedOfferAt", Json.timestamp(lastUnusedAt));
    if (lastUsedAt != null) out.put("lastUsedOfferAt", Json.timestamp(lastUsedAt));
    Map<String, Integer> last = lastRejection == null ? Map.of() : Map.of(lastRejection.reason(), 1);
    out.set("rejectSummaryLastOffers", funnel(lastRejection == null ? 0 : 1, last));
    out.set("rejectSummaryLaunchAttempt", funnel(processed, declined));
    return out;
  }

  /** {@code declinedOfferSteps}: each step sees what the previous steps did not decline. */
  private static ArrayNode funnel(int processedOffers, Map<String, Integer> byReason) {
    ArrayNode steps = Json.array();
    int left = processedOffers;
    for (String reason : FUNNEL) {
      int count = byReason.getOrDefault(reason, 0);
      steps.addObject().put("reason", reason).put("declined", count).put("processed", left);
      left -= count;
    }
    return steps;
  }
}
