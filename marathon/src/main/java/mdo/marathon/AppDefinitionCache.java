package mdo.marathon;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * App definitions by (app id, version). Ports are named from the version a task runs, which during a rolling
 * deployment is not always the current one. A version never changes once stored, so entries never go stale; the cache
 * is bounded and forgets the least recently used.
 */
final class AppDefinitionCache {
  private final MarathonClient marathon;
  private final Map<String, MarathonApp> byVersion = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, MarathonApp> eldest) {
      return size() > 2_000;
    }
  };

  private final Map<String, MarathonApp> latest = new java.util.HashMap<>();

  AppDefinitionCache(MarathonClient marathon) {
    this.marathon = marathon;
  }

  /** The definition of {@code appId} at {@code version} (current when null); empty when Marathon has no such app. */
  Optional<MarathonApp> get(String appId, String version) {
    MarathonApp cached = version != null ? cached(appId, version) : latest(appId);
    if (cached != null) return Optional.of(cached);
    Optional<MarathonApp> current = current(appId);
    if (current.isEmpty() || version == null || version.equals(current.get().version())) return current;
    Optional<MarathonApp> old = marathon.getAppVersion(appId, version);
    old.ifPresent(a -> remember(appId, a));
    return old.isPresent() ? old : current;
  }

  /** Fetches the current definition (always a request) and remembers it. */
  Optional<MarathonApp> current(String appId) {
    Optional<MarathonApp> app = marathon.getApp(appId);
    synchronized (this) {
      if (app.isPresent()) {
        remember(appId, app.get());
        latest.put(appId, app.get());
      } else {
        latest.remove(appId);
      }
    }
    return app;
  }

  /** A current definition from a listing. */
  synchronized void listed(MarathonApp app) {
    remember(app.id(), app);
    latest.put(app.id(), app);
  }

  /** Keyed by the id asked for: a stored version's JSON may carry a relative id. */
  synchronized void remember(String appId, MarathonApp app) {
    if (app.version() != null) byVersion.put(appId + "@" + app.version(), app);
  }

  /** The most recently fetched current definition, for events that name no version. */
  synchronized MarathonApp latest(String appId) {
    return latest.get(appId);
  }

  synchronized MarathonApp cached(String appId, String version) {
    return byVersion.get(appId + "@" + version);
  }
}
