package mdo.framework.desired;

/** A value read from etcd with the mod revision a compare-and-swap must name to replace it. */
public record Versioned<T>(T value, long modRevision) {}
