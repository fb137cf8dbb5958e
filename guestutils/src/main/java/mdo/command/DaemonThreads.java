package mdo.command;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread factory of mdo's processes: daemon threads (they never keep a JVM alive that was asked to stop), named
 * {@code <name>-<n>} for thread dumps, and an uncaught exception is logged, never lost with the thread.
 */
public final class DaemonThreads {
  private static final Logger log = LoggerFactory.getLogger(DaemonThreads.class);

  private DaemonThreads() {}

  public static ThreadFactory factory(String name) {
    AtomicLong n = new AtomicLong();
    return r -> create(name + "-" + n.incrementAndGet(), r);
  }

  /** One named daemon thread, not started. */
  public static Thread create(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler((thread, e) -> log.error("died: thread {}: {}", thread.getName(), e.toString(), e));
    return t;
  }
}
