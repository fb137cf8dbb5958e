package mdo.registry.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import mdo.command.Failure;
import mdo.registry.EtcdRanges;

/**
 * etcd failed a request: it did not answer (down, timeout: {@link Kind#UNAVAILABLE}), or it answered with an error
 * (a message too large, auth refused, a compacted revision: {@link Kind#REFUSED}). Either way nothing is known about
 * what was asked; only the first means etcd is unreachable.
 */
public final class EtcdException extends Failure {
  private final boolean answered;

  public EtcdException(String message, Throwable cause) {
    super(message, cause);
    this.answered = cause != null && EtcdRanges.answered(cause);
  }

  @Override
  public Kind kind() {
    return answered ? Kind.REFUSED : Kind.UNAVAILABLE;
  }

  /** A blocking jetcd call, which fails as {@link java.util.concurrent.Future#get} does. */
  public interface Call<T> {
    T get() throws ExecutionException, TimeoutException, InterruptedException;
  }

  /** The one way mdo waits for a jetcd future: its value, or an {@link EtcdException} saying what failed. */
  public static <T> T await(CompletableFuture<T> future, String what, Duration timeout) {
    return await(() -> future.get(timeout.toMillis(), TimeUnit.MILLISECONDS), what, timeout);
  }

  /** The same for a blocking call bounded by {@code timeout} (e.g. each page of an {@link EtcdRanges} scan). */
  public static <T> T await(Call<T> call, String what, Duration timeout) {
    try {
      return call.get();
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
