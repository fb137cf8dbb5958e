package mdo.marathon;

/** What a deployment-creating call returns: {@code {"deploymentId","version"}} or the id from a 201 body. */
public record DeploymentResult(String deploymentId, String version, boolean created) {}
