package mdo.registry.store;

/**
 * Values under the registry's prefix that the writer skips, of one kind: how many a load met, and the first of them
 * with why, for one log line per kind rather than one per key.
 */
public record BadData(Kind kind, int count, String example, String reason) {
  public enum Kind {
    /** Shaped like an instance key, but a part is not a segment mdo writes: never read, never changed. */
    KEY,
    /** A record whose ordinal is negative or above the bound: replaced (listed task) or deleted by resync. */
    ORDINAL,
    /** Not a readable record (malformed JSON, wrong types, missing fields): replaced or deleted by resync. */
    JSON;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
