package mdo.devcluster.mesos.master;

import java.util.concurrent.ScheduledFuture;
import mdo.devcluster.mesos.resources.Resources;
import org.apache.mesos.v1.Protos.Offer;

/**
 * An offer the master has sent and that was neither accepted, declined nor rescinded yet.
 *
 * @param timeout the {@code --offer_timeout} rescind, or null
 */
record OutstandingOffer(Offer offer, Resources resources, ScheduledFuture<?> timeout) {
  String id() {
    return offer.getId().getValue();
  }

  String agentId() {
    return offer.getAgentId().getValue();
  }

  String frameworkId() {
    return offer.getFrameworkId().getValue();
  }

  String role() {
    return offer.getAllocationInfo().getRole();
  }
}
