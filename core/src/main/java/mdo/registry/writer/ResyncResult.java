package mdo.registry.writer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import mdo.command.Failure;
import mdo.registry.store.BadData;

/**
 * What one resync (or app refresh) did. {@code refused} lists the records kept although the listing lacked them: their
 * app was missing from the backend's listing and could not be confirmed gone. {@code failure} is set when it could not
 * run at all, and then it changed nothing.
 *
 * @param claims ordinal claims created or released to match the records (repairs; normally 0)
 * @param bad values in the registry it skipped or replaced, by kind
 */
public record ResyncResult(Instant at, Duration took, int records, int created, int updated, int deleted,
    List<Refusal> refused, int claims, int conflicts, List<BadData> bad, Failed failure) {

  public ResyncResult {
    refused = List.copyOf(refused);
    bad = List.copyOf(bad);
  }

  /** Which side failed: the cluster backend could not be listed, the registry not read or written, or a bug. */
  public enum Cause { CLUSTER, REGISTRY, INTERNAL }

  /**
   * Why a resync could not run; {@code message} names the system, e.g. {@code "etcd: ..."}. {@code kind} tells a
   * system that did not answer ({@link Failure.Kind#UNAVAILABLE}) from one that answered with an error.
   */
  public record Failed(Cause cause, Failure.Kind kind, String message) {}

  /** Records of one app kept, not deleted: the app was missing from the listing, and {@code reason} says what then. */
  public record Refusal(String appId, int records, String reason) {
    @Override
    public String toString() {
      return records + " records of " + appId + ": " + reason;
    }
  }

  public boolean ok() {
    return failure == null && refused.isEmpty();
  }

  public int writes() {
    return created + updated + deleted + claims;
  }

  /** Records the guard kept, over all refusals. */
  public int refusedDeletes() {
    return refused.stream().mapToInt(Refusal::records).sum();
  }

  /** The failure's message, or null when it ran. */
  public String error() {
    return failure == null ? null : failure.message();
  }

  public boolean failed(Cause cause) {
    return failure != null && failure.cause() == cause;
  }

  /** True when it failed because {@code cause}'s system did not answer (not: answered with an error). */
  public boolean unreachable(Cause cause) {
    return failed(cause) && failure.kind() == Failure.Kind.UNAVAILABLE;
  }

  public String summary() {
    if (failure != null) return "failed: " + failure.message();
    return "created " + created + ", updated " + updated + ", deleted " + deleted
        + (claims > 0 ? ", " + claims + " ordinal claims repaired" : "")
        + (refused.isEmpty() ? "" : ", KEPT " + refused.stream().map(Refusal::toString).collect(Collectors.joining("; ")))
        + (conflicts > 0 ? ", " + conflicts + " conflicts" : "") + " of " + records + " records in "
        + took.toMillis() + " ms";
  }

  public static ResyncResult failed(Instant at, Duration took, Cause cause, Failure.Kind kind, String message) {
    return new ResyncResult(at, took, 0, 0, 0, 0, List.of(), 0, 0, List.of(), new Failed(cause, kind, message));
  }
}
