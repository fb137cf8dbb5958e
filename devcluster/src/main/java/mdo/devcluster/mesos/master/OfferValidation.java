package mdo.devcluster.mesos.master;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.mesos.v1.Protos.OfferID;

/** {@code validation::offer::validate}: the offers of one ACCEPT, in the master's order of checks. */
final class OfferValidation {
  private OfferValidation() {}

  static String problem(List<OfferID> offerIds, Map<String, OutstandingOffer> offers, Framework framework) {
    Set<String> seen = new HashSet<>();
    for (OfferID id : offerIds) {
      if (!seen.add(id.getValue())) return "Duplicate offer " + id.getValue() + " in offer list";
    }
    for (OfferID id : offerIds) {
      if (!offers.containsKey(id.getValue())) return "Offer " + id.getValue() + " is no longer valid";
    }
    for (OfferID id : offerIds) {
      String owner = offers.get(id.getValue()).frameworkId();
      if (!owner.equals(framework.id().getValue())) {
        return "Offer " + id.getValue() + " has invalid framework " + owner + " while framework "
            + framework.id().getValue() + " is expected";
      }
    }
    String role = null;
    for (OfferID id : offerIds) {
      String offerRole = offers.get(id.getValue()).role();
      if (role == null) {
        role = offerRole;
      } else if (!role.equals(offerRole)) {
        return "Aggregated offers must be allocated to the same role. Offer " + id.getValue() + " uses role '"
            + offerRole + " but another is using role '" + role;
      }
    }
    String agent = null;
    for (OfferID id : offerIds) {
      String offerAgent = offers.get(id.getValue()).agentId();
      if (agent == null) {
        agent = offerAgent;
      } else if (!agent.equals(offerAgent)) {
        return "Aggregated offers must belong to one single agent. Offer " + id.getValue() + " uses agent "
            + offerAgent + " and agent " + agent;
      }
    }
    return null;
  }
}
