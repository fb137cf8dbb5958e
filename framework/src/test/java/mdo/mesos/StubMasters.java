package mdo.mesos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a connection test starts (stub masters, connections), closed newest first after each test: register it with
 * {@code @RegisterExtension}.
 */
final class StubMasters implements AutoCloseable, AfterEachCallback {
  private final List<AutoCloseable> started = new ArrayList<>();

  /** Defaults for tests: 5 s request timeout, backoff from 50 to 200 ms. */
  static MesosSettings settings(String... masters) {
    return MesosSettings.of(masters).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(50), Duration.ofMillis(200));
  }

  StubMaster master() {
    return add(new StubMaster().start());
  }

  /** A connection that is not started yet. */
  SchedulerConnection connection(MesosSettings settings, FrameworkIdStore ids, SchedulerListener listener) {
    return add(new SchedulerConnection(settings, ids, listener));
  }

  SchedulerConnection connect(MesosSettings settings, FrameworkIdStore ids, SchedulerListener listener) {
    SchedulerConnection c = connection(settings, ids, listener);
    c.start();
    return c;
  }

  <T extends AutoCloseable> T add(T closeable) {
    started.add(closeable);
    return closeable;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public void close() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) started.get(i).close();
    started.clear();
  }
}
