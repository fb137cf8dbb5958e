package mdo.config;

/** A host path mounted into the container; {@code mode} is {@code RO} or {@code RW}. */
public record VolumeSpec(String containerPath, String hostPath, String mode) {}
