package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;

/**
 * What one resync (or app refresh) did. {@code refusedDeletes} > 0 means the safety limit held back deletions (the
 * backend returned an empty or suspiciously small listing); {@code failure} is set when it could not run at all.
 */
public record ResyncResult(Instant at, Duration took, int records, int created, int updated, int deleted,
    int refusedDeletes, int conflicts, Failed failure) {

  /** Which side failed: the cluster backend could not be listed, or the registry could not be read or written. */
  public enum Cause { CLUSTER, REGISTRY }

  /** Why a resync could not run; {@code message} names the system, e.g. {@code "etcd: ..."}. */
  public record Failed(Cause cause, String message) {}

  public boolean ok() {
    return failure == null && refusedDeletes == 0;
  }

  public int writes() {
    return created + updated + deleted;
  }

  /** The failure's message, or null when it ran. */
  public String error() {
    return failure == null ? null : failure.message();
  }

  public boolean failed(Cause cause) {
    return failure != null && failure.cause() == cause;
  }

  public String summary() {
    if (failure != null) return "failed: " + failure.message();
    return "created " + created + ", updated " + updated + ", deleted " + deleted
        + (refusedDeletes > 0 ? ", REFUSED " + refusedDeletes + " deletions" : "")
        + (conflicts > 0 ? ", " + conflicts + " conflicts" : "") + " of " + records + " records in "
        + took.toMillis() + " ms";
  }

  static ResyncResult failed(Instant at, Duration took, Cause cause, String message) {
    return new ResyncResult(at, took, 0, 0, 0, 0, 0, 0, new Failed(cause, message));
  }
}
