package mdo.registry.store;

import java.util.List;

/**
 * Every instance key of an environment as the store held them at {@code revision}.
 *
 * @param malformed how many values were not readable records (they are in {@code records} with a null record)
 */
public record Snapshot(List<Stored> records, long revision, int malformed) {
  public Snapshot {
    records = List.copyOf(records);
  }
}
