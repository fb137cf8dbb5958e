package mdo.framework.placement;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test offers read like the cluster: {@code Offers.host("h1").cpus(4).mem(1024).ports(31000, 31100).attr("rack", "r1")}. */
final class Offers {
  private final String hostname;
  private String agentId;
  private final Map<String, AttributeValue> attributes = new LinkedHashMap<>();
  private final List<PortRange> ports = new ArrayList<>();
  private final List<String> offerIds = new ArrayList<>();
  private double cpus = 8;
  private double mem = 8192;
  private double disk = 10_000;

  private Offers(String hostname) {
    this.hostname = hostname;
    this.agentId = hostname + "-S0";
  }

  static Offers host(String hostname) {
    return new Offers(hostname);
  }

  Offers id(String id) {
    agentId = id;
    return this;
  }

  Offers cpus(double v) {
    cpus = v;
    return this;
  }

  Offers mem(double v) {
    mem = v;
    return this;
  }

  Offers disk(double v) {
    disk = v;
    return this;
  }

  Offers ports(int begin, int end) {
    ports.add(new PortRange(begin, end));
    return this;
  }

  Offers attr(String name, String text) {
    attributes.put(name, AttributeValue.text(text));
    return this;
  }

  /** Mesos attribute text ({@code rack:r1}, {@code level:0.8}, {@code jdk:[6-7]}, {@code gpu:{0,1}}), typed as Mesos types it. */
  Offers attrs(String mesosText) {
    attributes.putAll(MesosAttributes.parse(mesosText));
    return this;
  }

  Offers offer(String id) {
    offerIds.add(id);
    return this;
  }

  Agent agent() {
    return new Agent(agentId, hostname, attributes);
  }

  AgentOffers build() {
    return new AgentOffers(agent(), offerIds.isEmpty() ? List.of(agentId + "-O1") : offerIds, cpus, mem, disk, ports);
  }
}
