package mdo.registry.store;

/**
 * What a reader of the registry holds already, by key: a {@link RegistryStore#load} need not send or decode again a
 * value whose mod revision it has. At 50,000 records a resync that finds nothing changed then moves keys and revisions
 * (a few MB), not every record (tens of MB).
 */
public interface Known {
  /** The instance key as the caller holds it, or null. */
  Stored record(String key);

  /** The ordinal claim as the caller holds it, or null. */
  StoredClaim claim(String key);

  Known NOTHING = new Known() {
    @Override
    public Stored record(String key) {
      return null;
    }

    @Override
    public StoredClaim claim(String key) {
      return null;
    }
  };
}
