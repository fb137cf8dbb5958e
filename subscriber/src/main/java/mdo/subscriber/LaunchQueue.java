package mdo.subscriber;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import mdo.command.Failure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the backend says of the services short of instances (Marathon's launch queue, or the waiting tasks bin/framework
 * reports in etcd), for {@code /info} and {@code /v1/services}: read when a page asks, at most once per
 * {@link #MAX_AGE}, and not while the source is known to be unreachable, so a page never waits on one that does not
 * answer.
 */
final class LaunchQueue {
  static final Duration MAX_AGE = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(LaunchQueue.class);

  /**
   * Instances of one service waiting to launch.
   *
   * @param summary one line for people: {@code "1 instance waiting: no agent with port 9042 free"}
   * @param details what the source adds (Marathon: since, delaySeconds, declined; bin/framework: reason)
   */
  record Queued(int count, String summary, Map<String, Object> details) {
    Queued {
      details = Map.copyOf(details);
    }

    /** {@code "1 instance waiting: reason"}, as Marathon's summary words it. */
    static Queued because(int count, String reason) {
      return new Queued(count, count + (count == 1 ? " instance" : " instances") + " waiting: " + reason,
          Map.of("reason", reason));
    }
  }

  /**
   * @param source who reports it, for people ({@code "Marathon's launch queue"})
   * @param waiting by service
   * @param problem why the source could not be read, or null
   */
  record Status(String source, Map<String, Queued> waiting, String problem) {}

  private final String source;
  private final Supplier<Map<String, Queued>> read;
  private final BooleanSupplier reachable;
  private Status last;
  private long readAt;

  LaunchQueue(String source, Supplier<Map<String, Queued>> read, BooleanSupplier reachable) {
    this.source = source;
    this.read = read;
    this.reachable = reachable;
  }

  synchronized Status status() {
    if (!reachable.getAsBoolean()) return new Status(source, Map.of(), source + " unreachable");
    long now = System.nanoTime();
    if (last != null && now - readAt < MAX_AGE.toNanos()) return last;
    try {
      last = new Status(source, Map.copyOf(read.get()), null);
    } catch (Failure e) {
      log.warn("failed: reading {}: {}", source, e.getMessage());
      last = new Status(source, Map.of(), "could not read " + source + ": " + e.getMessage());
    }
    readAt = now;
    return last;
  }
}
