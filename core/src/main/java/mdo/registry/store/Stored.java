package mdo.registry.store;

import mdo.registry.InstanceRecord;

/**
 * One instance key as etcd holds it. {@code record} is {@code null} when the stored value is not a readable record
 * (written by something else, or corrupted); resync overwrites or deletes such keys.
 */
public record Stored(String key, String service, InstanceRecord record, long modRevision) {}
