package mdo.mesos;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** A framework id kept for the life of the process only: for tests and single-process runs without etcd. */
public final class InMemoryFrameworkIdStore implements FrameworkIdStore {
  private final AtomicReference<String> id = new AtomicReference<>();

  public InMemoryFrameworkIdStore() {}

  public InMemoryFrameworkIdStore(String frameworkId) {
    id.set(frameworkId);
  }

  @Override
  public Optional<String> load() {
    return Optional.ofNullable(id.get());
  }

  @Override
  public void save(String frameworkId) {
    id.set(frameworkId);
  }
}
