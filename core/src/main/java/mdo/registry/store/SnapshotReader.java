package mdo.registry.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import mdo.registry.InstanceRecord;
import mdo.registry.InstanceRecordReader;
import mdo.registry.RegistryKeys;

/**
 * Builds a {@link Snapshot} from raw keys and values as a store reads them, page after page: the one place that decides
 * what is an instance record, an ordinal claim, or bad data. Both stores use it, so they classify alike.
 */
final class SnapshotReader {
  private final String environment;
  private final List<Stored> records = new ArrayList<>();
  private final List<StoredClaim> claims = new ArrayList<>();
  private final Map<BadData.Kind, BadData> bad = new EnumMap<>(BadData.Kind.class);

  SnapshotReader(String environment) {
    this.environment = environment;
  }

  /**
   * Whether a key under the environment's {@code services/} prefix is a valid instance key, whose value is wanted;
   * counts it as bad data when it has the shape of one but is not valid.
   */
  boolean instanceKey(String key) {
    RegistryKeys.InstancePath path = RegistryKeys.instancePath(environment, key);
    if (path == null) return false; // not an instance key: never ours to touch
    if (!path.valid()) {
      bad(BadData.Kind.KEY, key, "a part of the key is not a valid segment ([A-Za-z0-9][A-Za-z0-9._-]*)");
      return false;
    }
    return true;
  }

  /** An instance key held already, unchanged: taken as it is. */
  void known(Stored held) {
    records.add(held);
  }

  /** A claim held already, unchanged. */
  void known(StoredClaim held) {
    claims.add(held);
  }

  /** The value of a key under the environment's {@code services/} prefix. */
  void instance(String key, byte[] value, long modRevision) {
    if (!instanceKey(key)) return;
    RegistryKeys.InstancePath path = RegistryKeys.instancePath(environment, key);
    InstanceRecord record = null;
    try {
      record = read(path, key, value);
    } catch (IllegalArgumentException e) {
      bad(badOrdinal(e) ? BadData.Kind.ORDINAL : BadData.Kind.JSON, key, e.getMessage());
    }
    records.add(new Stored(key, path.service(), record, modRevision));
  }

  /** A key under the environment's {@code ordinals/} prefix. */
  void claim(String key, byte[] value, long modRevision) {
    RegistryKeys.OrdinalPath path = RegistryKeys.ordinalPath(environment, key);
    if (path == null) return;
    claims.add(new StoredClaim(key, path.service(), path.ordinal(), new String(value, StandardCharsets.UTF_8),
        modRevision));
  }

  /** The scan starts over at a newer revision: forget what was read. */
  void restart() {
    records.clear();
    claims.clear();
    bad.clear();
  }

  Snapshot snapshot(long revision) {
    return new Snapshot(records, claims, revision, List.copyOf(bad.values()));
  }

  /** One instance key as a store holds it; the record is null when the value is not a readable one. */
  static Stored decode(String environment, String key, byte[] value, long modRevision) {
    RegistryKeys.InstancePath path = RegistryKeys.instancePath(environment, key);
    InstanceRecord record;
    try {
      record = read(path, key, value);
    } catch (IllegalArgumentException e) {
      record = null;
    }
    return new Stored(key, path == null ? null : path.service(), record, modRevision);
  }

  /** The record at a valid instance key; it must name the key's service and task, or the writer would misfile it. */
  private static InstanceRecord read(RegistryKeys.InstancePath path, String key, byte[] value) {
    InstanceRecord r = InstanceRecordReader.read(value, key);
    if (path == null || !path.valid() || !r.service().equals(path.service()) || !r.taskId().equals(path.taskId())) {
      throw new IllegalArgumentException("malformed registry value at " + key + ": its service and task id ("
          + r.service() + ", " + r.taskId() + ") do not match the key");
    }
    return r;
  }

  /** The claim a key holds, or null when absent. */
  static StoredClaim claimOf(String environment, String key, byte[] value, long modRevision) {
    RegistryKeys.OrdinalPath path = RegistryKeys.ordinalPath(environment, key);
    return path == null || value == null ? null
        : new StoredClaim(key, path.service(), path.ordinal(), new String(value, StandardCharsets.UTF_8), modRevision);
  }

  private void bad(BadData.Kind kind, String key, String reason) {
    BadData seen = bad.get(kind);
    bad.put(kind, seen == null ? new BadData(kind, 1, key, reason)
        : new BadData(kind, seen.count() + 1, seen.example(), seen.reason()));
  }

  private static boolean badOrdinal(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof InstanceRecord.BadOrdinal) return true;
    }
    return false;
  }
}
