package mdo.framework.scheduler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mdo.framework.placement.Agent;
import mdo.framework.placement.AgentOffers;
import mdo.framework.placement.AttributeValue;
import mdo.framework.placement.PortRange;
import mdo.framework.state.FrameworkTask;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Value;

/**
 * The offers the scheduler holds, from OFFERS until they are accepted, declined or rescinded, and their translation
 * into what placement reads. Not thread-safe: the scheduler's thread only.
 */
final class MesosOffers {
  /** Attribute names Mesos cannot have (they are not valid attribute names), used for the fault domain. */
  private static final String REGION = "@region";
  private static final String ZONE = "@zone";

  private final Map<String, Offer> held = new LinkedHashMap<>();

  void add(List<Offer> offers) {
    for (Offer o : offers) held.put(o.getId().getValue(), o);
  }

  /** An offer rescinded by the master; false when it was not held. */
  boolean rescind(String offerId) {
    return held.remove(offerId) != null;
  }

  /** On every (re)subscribe: the master dropped every outstanding offer without RESCIND (API.md A5). */
  int clear() {
    int n = held.size();
    held.clear();
    return n;
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  int size() {
    return held.size();
  }

  List<String> ids() {
    return List.copyOf(held.keySet());
  }

  /** Removes the offers and returns them, in the order asked; unknown ids are skipped. */
  List<Offer> take(List<String> offerIds) {
    List<Offer> out = new ArrayList<>();
    for (String id : offerIds) {
      Offer o = held.remove(id);
      if (o != null) out.add(o);
    }
    return out;
  }

  /** Every held offer as placement sees it (the placer combines the offers of one agent). */
  List<AgentOffers> forPlacement() {
    List<AgentOffers> out = new ArrayList<>(held.size());
    for (Offer o : held.values()) out.add(agentOffers(o));
    return out;
  }

  static AgentOffers agentOffers(Offer o) {
    double cpus = 0;
    double mem = 0;
    double disk = 0;
    List<PortRange> ports = new ArrayList<>();
    for (Resource r : o.getResourcesList()) {
      if (r.hasRevocable() || r.hasShared() || r.hasDisk() || r.hasProviderId()) continue; // what tasks cannot use
      if (r.getType() == Value.Type.SCALAR) {
        switch (r.getName()) {
          case "cpus" -> cpus += r.getScalar().getValue();
          case "mem" -> mem += r.getScalar().getValue();
          case "disk" -> disk += r.getScalar().getValue();
          default -> { }
        }
      } else if (r.getType() == Value.Type.RANGES && r.getName().equals("ports")) {
        for (Value.Range range : r.getRanges().getRangeList()) {
          ports.add(new PortRange((int) range.getBegin(), (int) range.getEnd()));
        }
      }
    }
    return new AgentOffers(agent(o), List.of(o.getId().getValue()), cpus, mem, disk, ports);
  }

  static Agent agent(Offer o) {
    Map<String, AttributeValue> attributes = new TreeMap<>();
    for (Attribute a : o.getAttributesList()) attributes.put(a.getName(), attribute(a));
    String region = o.hasDomain() && o.getDomain().hasFaultDomain()
        ? o.getDomain().getFaultDomain().getRegion().getName() : null;
    String zone = o.hasDomain() && o.getDomain().hasFaultDomain()
        ? o.getDomain().getFaultDomain().getZone().getName() : null;
    return new Agent(o.getAgentId().getValue(), o.getHostname(), attributes, region, zone);
  }

  /**
   * The agent of a task, with its attributes and fault domain as they were when it launched: what constraints count
   * for a running task whose agent sends no offer.
   */
  static Agent agent(FrameworkTask t) {
    Map<String, AttributeValue> attributes = new TreeMap<>();
    t.agentAttributes().forEach((k, v) -> {
      if (!k.equals(REGION) && !k.equals(ZONE)) attributes.put(k, AttributeValue.text(v));
    });
    return new Agent(t.agentId(), t.hostname(), attributes, t.agentAttributes().get(REGION),
        t.agentAttributes().get(ZONE));
  }

  /** An agent's attributes as constraints compare them (Marathon's rendering), its fault domain as @region/@zone. */
  static Map<String, String> rendered(Agent agent) {
    Map<String, String> out = new TreeMap<>();
    agent.attributes().forEach((k, v) -> out.put(k, v.render()));
    if (agent.region() != null) out.put(REGION, agent.region());
    if (agent.zone() != null) out.put(ZONE, agent.zone());
    return out;
  }

  private static AttributeValue attribute(Attribute a) {
    return switch (a.getType()) {
      case SCALAR -> AttributeValue.scalar(a.getScalar().getValue());
      case RANGES -> new AttributeValue.Ranges(a.getRanges().getRangeList().stream()
          .map(r -> new AttributeValue.Range(r.getBegin(), r.getEnd())).toList());
      case SET -> new AttributeValue.SetValue(a.getSet().getItemList());
      default -> AttributeValue.text(a.getText().getValue());
    };
  }
}
