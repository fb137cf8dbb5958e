package mdo.devcluster.mesos.resources;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/** {@code Resources::validate} of {@code src/common/resources.cpp}: the shape of each resource on its own. */
public final class ResourceValidation {
  private ResourceValidation() {}

  /** Null when every resource is well formed, else {@code Resource '<r>' is invalid: <why>} for the first bad one. */
  public static String problem(List<Resource> resources) {
    for (Resource r : resources) {
      String problem = problem(r);
      if (problem != null) return "Resource '" + Resources.format(r) + "' is invalid: " + problem;
    }
    return null;
  }

  static String problem(Resource r) {
    if (r.getName().isEmpty()) return "Empty resource name";
    if (!r.hasType()) return "Invalid resource type";
    switch (r.getType()) {
      case SCALAR -> {
        if (!r.hasScalar() || r.hasRanges() || r.hasSet()) return "Invalid scalar resource";
        if (r.getScalar().getValue() != 0 && Resources.fixed(r.getScalar().getValue()) <= 0) {
          return "Invalid scalar resource: value <= 0";
        }
      }
      case RANGES -> {
        if (r.hasScalar() || !r.hasRanges() || r.hasSet()) return "Invalid ranges resource";
        List<Value.Range> ranges = r.getRanges().getRangeList();
        for (int i = 0; i < ranges.size(); i++) {
          if (Long.compareUnsigned(ranges.get(i).getBegin(), ranges.get(i).getEnd()) > 0) {
            return "Invalid ranges resource: begin > end";
          }
          for (int j = i + 1; j < ranges.size(); j++) {
            if (ranges.get(i).getBegin() <= ranges.get(j).getBegin()
                && ranges.get(j).getBegin() <= ranges.get(i).getEnd()) {
              return "Invalid ranges resource: overlapping ranges";
            }
          }
        }
      }
      case SET -> {
        if (r.hasScalar() || r.hasRanges() || !r.hasSet()) return "Invalid set resource";
        Set<String> seen = new HashSet<>();
        for (String item : r.getSet().getItemList()) {
          if (!seen.add(item)) return "Invalid set resource: duplicated elements";
        }
      }
      default -> {
        return "Unsupported resource type";
      }
    }
    if (r.hasDisk() && !r.getName().equals("disk")) {
      return "DiskInfo should not be set for " + r.getName() + " resource";
    }
    if (r.getReservationsCount() == 0) {
      String roleProblem = Roles.problem(r.getRole());
      if (roleProblem != null) return roleProblem;
      if (r.hasReservation()) {
        if (r.getReservation().hasType()) {
          return "'Resource.ReservationInfo.type' must not be set for the 'Resource.reservation' field";
        }
        if (r.getReservation().hasRole()) {
          return "'Resource.ReservationInfo.role' must not be set for the 'Resource.reservation' field";
        }
        if (r.getRole().equals("*")) return "Invalid reservation: role \"*\" cannot be dynamically reserved";
      }
    } else {
      for (Resource.ReservationInfo reservation : r.getReservationsList()) {
        if (!reservation.hasType()) return "Invalid reservation: 'Resource.ReservationInfo.type' field must be set.";
        if (!reservation.hasRole()) return "Invalid reservation: 'Resource.ReservationInfo.role' field must be set.";
        String roleProblem = Roles.problem(reservation.getRole());
        if (roleProblem != null) return roleProblem;
        if (reservation.getRole().equals("*")) return "Invalid reservation: role \"*\" cannot be reserved";
      }
    }
    if (r.hasShared()) {
      if (!r.getName().equals("disk")) return "Resource " + r.getName() + " cannot be shared";
      if (!r.hasDisk() || !r.getDisk().hasPersistence()) return "Only persistent volumes can be shared";
    }
    return null;
  }
}
