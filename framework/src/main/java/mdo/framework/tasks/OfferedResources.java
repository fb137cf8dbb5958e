package mdo.framework.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import mdo.cluster.ServiceDefinition.Port;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * What is left of one agent's offers while tasks are carved out of them for one ACCEPT. A task's resources keep the
 * identity of the offered ones they come from (role, reservations, {@code allocation_info}) and change only the
 * quantity, so the master finds them contained in the offer (API.md §1.8). Scalars are counted in thousandths, the
 * precision Mesos keeps, so repeated subtraction never drifts. Not thread-safe: one offer cycle, one thread.
 */
public final class OfferedResources {
  private final AgentID agent;
  private final String hostname;
  private final List<OfferID> offers = new ArrayList<>();
  private final List<Scalar> scalars = new ArrayList<>();
  private final List<Ports> ports = new ArrayList<>();

  /** What was taken for one task: its resources, and the host port of each requested port in request order. */
  public record Claim(List<Resource> resources, List<Integer> hostPorts) {
    public Claim {
      resources = List.copyOf(resources);
      hostPorts = List.copyOf(hostPorts);
    }
  }

  public OfferedResources(List<Offer> agentOffers) {
    if (agentOffers.isEmpty()) throw new IllegalArgumentException("no offers");
    this.agent = agentOffers.get(0).getAgentId();
    this.hostname = agentOffers.get(0).getHostname();
    for (Offer offer : agentOffers) {
      if (!offer.getAgentId().equals(agent)) {
        throw new IllegalArgumentException("offers of one ACCEPT must come from one agent: " + agent.getValue()
            + " and " + offer.getAgentId().getValue());
      }
      offers.add(offer.getId());
      for (Resource r : offer.getResourcesList()) {
        if (r.hasRevocable() || r.hasShared() || r.hasDisk() || r.hasProviderId()) continue; // not for our tasks
        if (r.getType() == Value.Type.SCALAR) scalars.add(new Scalar(r, Math.round(r.getScalar().getValue() * 1000)));
        if (r.getType() == Value.Type.RANGES && r.getName().equals("ports")) ports.add(new Ports(r));
      }
    }
  }

  public AgentID agentId() {
    return agent;
  }

  public String hostname() {
    return hostname;
  }

  public List<OfferID> offerIds() {
    return List.copyOf(offers);
  }

  /** Unclaimed amount of a scalar resource ({@code cpus}, {@code mem} in MB...). */
  public double remaining(String name) {
    return scalars.stream().filter(s -> s.resource.getName().equals(name)).mapToLong(s -> s.left).sum() / 1000.0;
  }

  /**
   * Takes cpus, mem and one host port per requested port: a fixed port's own number (it must be offered), any free
   * offered port otherwise, lowest first. All or nothing.
   */
  public Claim claim(double cpus, double mem, List<Port> requested) throws ResourceShortfallException {
    List<Resource> taken = new ArrayList<>();
    long[] cpuTake = plan("cpus", Math.round(cpus * 1000), "");
    long[] memTake = plan("mem", Math.round(mem * 1000), " MB");
    List<List<Long>> portTake = planPorts(requested);
    taken.addAll(take("cpus", cpuTake));
    taken.addAll(take("mem", memTake));
    List<Integer> hostPorts = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      List<Long> chosen = portTake.get(i);
      if (chosen.isEmpty()) continue;
      chosen.forEach(ports.get(i)::remove);
      taken.add(ports.get(i).resource.toBuilder().clearRanges().setRanges(ranges(chosen)).build());
    }
    hostPorts.addAll(assignedInRequestOrder(requested, portTake));
    return new Claim(taken, hostPorts);
  }

  /** How much to take from each offered resource of this name; fails if they do not add up. */
  private long[] plan(String name, long needed, String unit) throws ResourceShortfallException {
    long[] amounts = new long[scalars.size()];
    long missing = needed;
    for (int i = 0; i < scalars.size() && missing > 0; i++) {
      Scalar s = scalars.get(i);
      if (!s.resource.getName().equals(name)) continue;
      amounts[i] = Math.min(s.left, missing);
      missing -= amounts[i];
    }
    if (missing > 0) {
      throw new ResourceShortfallException("needs " + format(needed) + unit + " " + name + ", agent " + hostname
          + " has " + format(needed - missing) + unit + " left in its offers");
    }
    return amounts;
  }

  private List<Resource> take(String name, long[] amounts) {
    List<Resource> out = new ArrayList<>();
    for (int i = 0; i < amounts.length; i++) {
      if (amounts[i] == 0) continue;
      Scalar s = scalars.get(i);
      s.left -= amounts[i];
      out.add(s.resource.toBuilder().setScalar(Value.Scalar.newBuilder().setValue(amounts[i] / 1000.0)).build());
    }
    return out;
  }

  /** The ports each offered ports resource gives; fixed ports first, then the lowest free ones. */
  private List<List<Long>> planPorts(List<Port> requested) throws ResourceShortfallException {
    List<List<Long>> chosen = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) chosen.add(new ArrayList<>());
    for (Port p : requested) {
      if (!p.fixed()) continue;
      long port = p.hostPort();
      int source = -1;
      for (int i = 0; i < ports.size() && source < 0; i++) {
        if (ports.get(i).contains(port) && !chosen.get(i).contains(port)) source = i;
      }
      if (source < 0) {
        throw new ResourceShortfallException("port " + port + " (" + p.name() + ") is not free on agent " + hostname);
      }
      chosen.get(source).add(port);
    }
    long dynamic = requested.stream().filter(p -> !p.fixed()).count();
    for (int i = 0; i < ports.size() && dynamic > 0; i++) {
      for (Map.Entry<Long, Long> range : ports.get(i).free.entrySet()) {
        for (long port = range.getKey(); port <= range.getValue() && dynamic > 0; port++) {
          if (chosen.get(i).contains(port) || isHardRequest(requested, port)) continue;
          chosen.get(i).add(port);
          dynamic--;
        }
        if (dynamic == 0) break;
      }
    }
    if (dynamic > 0) {
      long wanted = requested.stream().filter(p -> !p.fixed()).count();
      throw new ResourceShortfallException("needs " + wanted + " port" + (wanted == 1 ? "" : "s") + ", agent "
          + hostname + " has " + (wanted - dynamic) + " free in its offers");
    }
    return chosen;
  }

  /** Host ports in the order of {@code requested}: fixed ports are their own number, the others in taken order. */
  private static List<Integer> assignedInRequestOrder(List<Port> requested, List<List<Long>> chosen) {
    List<Long> dynamic = new ArrayList<>();
    for (List<Long> fromOne : chosen) {
      for (long port : fromOne) if (!isHardRequest(requested, port)) dynamic.add(port);
    }
    List<Integer> out = new ArrayList<>();
    int next = 0;
    for (Port p : requested) out.add(p.fixed() ? p.hostPort() : Math.toIntExact(dynamic.get(next++)));
    return out;
  }

  private static boolean isHardRequest(List<Port> requested, long port) {
    return requested.stream().anyMatch(p -> p.fixed() && p.hostPort() == port);
  }

  private static Value.Ranges ranges(List<Long> chosen) {
    List<Long> sorted = chosen.stream().sorted().toList();
    Value.Ranges.Builder out = Value.Ranges.newBuilder();
    long begin = sorted.get(0);
    long end = begin;
    for (long p : sorted.subList(1, sorted.size())) {
      if (p == end + 1) {
        end = p;
      } else {
        out.addRange(Value.Range.newBuilder().setBegin(begin).setEnd(end));
        begin = end = p;
      }
    }
    return out.addRange(Value.Range.newBuilder().setBegin(begin).setEnd(end)).build();
  }

  private static String format(long thousandths) {
    return thousandths % 1000 == 0 ? Long.toString(thousandths / 1000)
        : String.format(Locale.ROOT, "%.3f", thousandths / 1000.0).replaceAll("0+$", "");
  }

  private static final class Scalar {
    final Resource resource;
    long left;

    Scalar(Resource resource, long left) {
      this.resource = resource;
      this.left = left;
    }
  }

  /** An offered ports resource and its still-free ports as ranges (begin to inclusive end), ascending. */
  private static final class Ports {
    final Resource resource;
    final TreeMap<Long, Long> free = new TreeMap<>();

    Ports(Resource resource) {
      this.resource = resource;
      for (Value.Range r : resource.getRanges().getRangeList()) {
        if (r.getBegin() <= r.getEnd()) free.merge(r.getBegin(), r.getEnd(), Math::max);
      }
    }

    boolean contains(long port) {
      Map.Entry<Long, Long> range = free.floorEntry(port);
      return range != null && range.getValue() >= port;
    }

    void remove(long port) {
      Map.Entry<Long, Long> range = free.floorEntry(port);
      if (range == null || range.getValue() < port) return;
      free.remove(range.getKey());
      if (range.getKey() < port) free.put(range.getKey(), port - 1);
      if (range.getValue() > port) free.put(port + 1, range.getValue());
    }
  }
}
