package mdo.cluster;

/**
 * A change the backend accepted.
 *
 * @param id the service's deployment id, {@code /<environment>/<service>}
 * @param deploymentId the backend's id of this change; null when it gave none (then waiting watches the counts only)
 * @param version the definition version the change produces, when the backend says
 */
public record Deployment(String id, String deploymentId, String version) {}
