package mdo.mesos;

import java.util.Optional;

/**
 * Where the framework id lives between scheduler processes. The connection loads it before every SUBSCRIBE (a standby
 * that takes over must resume the same framework, or the old one's tasks are orphaned) and saves the id the master
 * assigns before the first event reaches the scheduler logic, so no task is ever launched under an unsaved id.
 * Failures throw unchecked exceptions; the connection retries with backoff rather than subscribing without the id.
 */
public interface FrameworkIdStore {
  Optional<String> load();

  void save(String frameworkId);
}
