package mdo.registry.writer;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import mdo.registry.store.BadData;

/**
 * Bad data the writer skips, reported per kind: one log line when a kind's count changes (not one per key, per resync
 * or per event) and the count as the observer's gauge.
 */
final class BadItems {
  private final RegistryWriter.Observer observer;
  private final Map<BadData.Kind, Integer> reported = new EnumMap<>(BadData.Kind.class);
  private final Map<BadData.Kind, Long> observed = new EnumMap<>(BadData.Kind.class);

  BadItems(RegistryWriter.Observer observer) {
    this.observer = observer;
  }

  /** What a resync's load (and listing) met: the full picture, so each kind's count replaces the last. */
  synchronized void loaded(List<BadData> bad) {
    for (BadData.Kind kind : BadData.Kind.values()) {
      BadData b = bad.stream().filter(x -> x.kind() == kind).findFirst().orElse(null);
      int n = b == null ? 0 : b.count();
      observer.badData(kind, n);
      int before = reported.getOrDefault(kind, 0);
      reported.put(kind, n);
      if (n == before) continue;
      if (n > 0) {
        RegistryWriter.log.warn("skipped: {} {} (e.g. {}: {}); {}", n, what(kind), b.example(), b.reason(), then(kind));
      } else {
        RegistryWriter.log.info("cleared: no {} left", what(kind));
      }
    }
  }

  /** One bad item in an observation (e.g. a task id that cannot be a key): logged the first time of its kind. */
  synchronized void observed(BadData.Kind kind, String example, String reason) {
    long n = observed.merge(kind, 1L, Long::sum);
    if (n == 1) {
      RegistryWriter.log.warn("skipped: an observation with {} ({}: {}); further ones are only counted",
          what(kind), example, reason);
    }
  }

  private static String what(BadData.Kind kind) {
    return switch (kind) {
      case KEY -> "keys that are not valid instance keys";
      case ORDINAL -> "records with an ordinal outside 0.." + mdo.registry.InstanceRecord.MAX_ORDINAL;
      case JSON -> "values that are not instance records";
    };
  }

  private static String then(BadData.Kind kind) {
    return kind == BadData.Kind.KEY ? "never read or changed"
        : "resync replaces those of listed tasks and deletes the rest";
  }
}
