package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mdo.devcluster.apps.AppSpec;

/**
 * A stored app: its current canonical JSON, the spec read from it, its version history, launch backoff, the upgrade
 * in progress and the statistics of its launch queue.
 */
final class AppState {
  ObjectNode app;
  AppSpec spec;
  final List<ObjectNode> versions = new ArrayList<>();
  /** Consecutive task failures, for {@code backoffSeconds * backoffFactor^(n-1)}. */
  int launchFailures;
  ObjectNode lastTaskFailure;
  /** The RestartApplication step in progress, or null. */
  Upgrade upgrade;
  final OfferStats offers = new OfferStats();
  /** After a declined offer the next one comes one allocation interval later. */
  Instant nextOfferAt = Instant.EPOCH;

  AppState(ObjectNode app) {
    set(app);
  }

  void set(ObjectNode app) {
    this.app = app;
    this.spec = AppSpec.from(app);
    versions.add(app.deepCopy());
  }

  String id() {
    return spec.id();
  }
}
