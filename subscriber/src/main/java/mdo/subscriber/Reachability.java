package mdo.subscriber;

import mdo.registry.writer.ResyncResult;

/** Whether etcd and Marathon answered when last asked: by a probe, or by a resync that needed them. */
final class Reachability {
  private volatile boolean etcd = true;
  private volatile boolean marathon = true;

  boolean etcd() {
    return etcd;
  }

  boolean marathon() {
    return marathon;
  }

  void probed(boolean etcdAnswered, boolean marathonAnswered) {
    etcd = etcdAnswered;
    marathon = marathonAnswered;
  }

  /** A resync's outcome says as much as a probe. */
  void resynced(ResyncResult result) {
    if (result.failed(ResyncResult.Cause.REGISTRY)) etcd = false;
    if (result.failed(ResyncResult.Cause.CLUSTER)) marathon = false;
    if (result.failure() == null) {
      etcd = true;
      marathon = true;
    }
  }
}
