package mdo.cluster;

/**
 * How waiting for a deployment ended: done, or failed or timed out with the backend's reason in {@code message}.
 *
 * @param message on success, what was reached ({@code "deployment finished, 3/3 running"})
 */
public record DeploymentOutcome(boolean success, String message) {}
