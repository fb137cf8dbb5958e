package mdo.subscriber;

import mdo.registry.writer.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether etcd and Marathon answered when last asked: by a probe, or by a resync that needed them. Only a system that
 * did not answer counts as unreachable: a resync that failed because etcd answered with an error (a message too large,
 * auth) says etcd is there. Each change is logged once, here.
 */
final class Reachability {
  private static final Logger log = LoggerFactory.getLogger(Reachability.class);

  private final String etcdEndpoints;
  private boolean etcd = true;
  private boolean marathon = true;

  Reachability(String etcdEndpoints) {
    this.etcdEndpoints = etcdEndpoints;
  }

  synchronized boolean etcd() {
    return etcd;
  }

  synchronized boolean marathon() {
    return marathon;
  }

  /** A probe's answers; returns which systems are back. */
  synchronized Back probed(boolean etcdAnswered, boolean marathonAnswered) {
    Back back = new Back(etcdAnswered && !etcd, marathonAnswered && !marathon);
    etcd(etcdAnswered, "probe");
    marathon(marathonAnswered, "probe");
    return back;
  }

  /** What came back since the last look. */
  record Back(boolean etcd, boolean marathon) {
    boolean any() {
      return etcd || marathon;
    }
  }

  /** A resync's outcome says as much as a probe. */
  synchronized void resynced(ResyncResult result) {
    if (result.failure() == null) {
      etcd(true, "resync");
      marathon(true, "resync");
      return;
    }
    if (result.unreachable(ResyncResult.Cause.REGISTRY)) etcd(false, "resync: " + result.error());
    if (result.unreachable(ResyncResult.Cause.CLUSTER)) marathon(false, "resync: " + result.error());
  }

  private void etcd(boolean now, String source) {
    if (now != etcd) log.warn("{}: etcd {} ({})", now ? "recovered" : "lost", etcdEndpoints, source);
    etcd = now;
  }

  private void marathon(boolean now, String source) {
    if (now != marathon) log.warn("{}: Marathon ({})", now ? "recovered" : "lost", source);
    marathon = now;
  }
}
