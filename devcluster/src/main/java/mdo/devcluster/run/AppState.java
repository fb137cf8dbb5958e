package mdo.devcluster.run;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import mdo.devcluster.apps.AppSpec;

/** A stored app: its current canonical JSON, the spec read from it, its version history and launch backoff. */
final class AppState {
  ObjectNode app;
  AppSpec spec;
  final List<ObjectNode> versions = new ArrayList<>();
  /** Consecutive task failures, for {@code backoffSeconds * backoffFactor^(n-1)}. */
  int launchFailures;
  ObjectNode lastTaskFailure;
  /** Logged once per reason, so a waiting instance does not flood the log. */
  String lastPlacementProblem;

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
