package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;

/**
 * What one resync did. {@code refusedDeletes} > 0 means the safety limit held back deletions (Marathon returned an
 * empty or suspiciously small listing); {@code error} is set when the resync could not run at all.
 */
public record ResyncResult(Instant at, Duration took, int records, int created, int updated, int deleted,
    int refusedDeletes, int conflicts, String error) {

  public boolean ok() {
    return error == null && refusedDeletes == 0;
  }

  public int writes() {
    return created + updated + deleted;
  }

  public String summary() {
    if (error != null) return "failed: " + error;
    return "created " + created + ", updated " + updated + ", deleted " + deleted
        + (refusedDeletes > 0 ? ", REFUSED " + refusedDeletes + " deletions" : "")
        + (conflicts > 0 ? ", " + conflicts + " conflicts" : "") + " of " + records + " records in "
        + took.toMillis() + " ms";
  }

  static ResyncResult failed(Instant at, Duration took, String error) {
    return new ResyncResult(at, took, 0, 0, 0, 0, 0, 0, error);
  }
}
