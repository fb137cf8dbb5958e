package mdo.registry.store;

/** One ordinal claim as etcd holds it: {@code holder} is the task id that holds {@code ordinal} in {@code service}. */
public record StoredClaim(String key, String service, int ordinal, String holder, long modRevision) {}
