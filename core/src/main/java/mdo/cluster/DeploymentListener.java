package mdo.cluster;

/** Told about a deployment's progress while {@link ClusterBackend#await} waits. */
public interface DeploymentListener {
  /** After every poll. */
  void progress(Progress progress);

  /** A poll failed (the backend did not answer); waiting goes on. */
  default void retrying(String problem) {}

  /**
   * Where a deployment stands.
   *
   * @param active the backend still lists the deployment as running
   */
  record Progress(String id, int running, int healthy, int staged, int wanted, boolean healthChecked, boolean active) {
    public boolean reached() {
      return running >= wanted && (!healthChecked || healthy >= wanted);
    }

    /** {@code 2/3 running, 1/3 healthy}. */
    public String counts() {
      return running + "/" + wanted + " running" + (healthChecked ? ", " + healthy + "/" + wanted + " healthy" : "");
    }
  }
}
