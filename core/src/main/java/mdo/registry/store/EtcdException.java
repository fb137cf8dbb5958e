package mdo.registry.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.command.Failure;

/** etcd did not answer (down, timeout, auth refused): nothing is known about what was asked. */
public final class EtcdException extends Failure {
  public EtcdException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }

  /** The one way mdo waits for a jetcd future: its value, or an {@link EtcdException} saying what failed. */
  public static <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new EtcdException("etcd failed to " + what + ": " + rootMessage(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new EtcdException("etcd did not answer to " + what + " within " + timeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdException("interrupted while waiting for etcd to " + what, e);
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getClass().getSimpleName() + ": " + root.getMessage();
  }
}
