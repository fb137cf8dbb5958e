package mdo.registry.store;

import java.util.List;

/**
 * Every instance key and ordinal claim of an environment as the store held them at {@code revision}.
 *
 * @param records instance keys; a value that is not a readable record comes with a null record (counted in {@code bad})
 * @param bad what was skipped or unreadable, by kind (keys that fail validation are not in {@code records} at all)
 */
public record Snapshot(List<Stored> records, List<StoredClaim> claims, long revision, List<BadData> bad) {
  public Snapshot {
    records = List.copyOf(records);
    claims = List.copyOf(claims);
    bad = List.copyOf(bad);
  }
}
