package mdo.subscriber;

import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import mdo.command.Failure;
import mdo.marathon.Waiting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Marathon's launch queue says of the services short of instances, for {@code /info} and {@code /v1/services}:
 * read when a page asks, at most once per {@link #MAX_AGE}, and not while Marathon is known to be unreachable, so a
 * page never waits on a Marathon that does not answer.
 */
final class LaunchQueue {
  static final Duration MAX_AGE = Duration.ofSeconds(5);
  private static final Logger log = LoggerFactory.getLogger(LaunchQueue.class);

  /**
   * @param waiting by service
   * @param problem why the queue could not be read, or null
   */
  record Status(Map<String, Waiting> waiting, String problem) {}

  private final Supplier<Map<String, Waiting>> read;
  private final BooleanSupplier marathonReachable;
  private Status last;
  private long readAt;

  LaunchQueue(Supplier<Map<String, Waiting>> read, BooleanSupplier marathonReachable) {
    this.read = read;
    this.marathonReachable = marathonReachable;
  }

  synchronized Status status() {
    if (!marathonReachable.getAsBoolean()) return new Status(Map.of(), "Marathon unreachable");
    long now = System.nanoTime();
    if (last != null && now - readAt < MAX_AGE.toNanos()) return last;
    try {
      last = new Status(Map.copyOf(read.get()), null);
    } catch (Failure e) {
      log.warn("failed: reading Marathon's launch queue: {}", e.getMessage());
      last = new Status(Map.of(), "could not read Marathon's launch queue: " + e.getMessage());
    }
    readAt = now;
    return last;
  }
}
