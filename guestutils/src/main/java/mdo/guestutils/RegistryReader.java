package mdo.guestutils;

import java.time.Duration;

/** Reads one service's instances from the registry in one consistent read (a single etcd revision). */
public interface RegistryReader extends AutoCloseable {
  ServiceSnapshot read(String service) throws RegistryUnavailableException;

  /**
   * Waits until the registry moves past {@code revision} or {@code timeout} passes. Polling readers just sleep; a watch
   * wakes up on the change itself.
   */
  default void awaitChange(long revision, Duration timeout) throws InterruptedException {
    Thread.sleep(Math.max(1, Math.min(timeout.toMillis(), 250)));
  }

  @Override
  default void close() {}
}
