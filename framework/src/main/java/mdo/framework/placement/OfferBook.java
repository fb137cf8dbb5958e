package mdo.framework.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agents offering resources this cycle, ordered by agent id (so the result does not depend on offer order), and
 * what each has left as tasks are placed: scalars in thousandths in flat arrays, ports in a {@link PortPool}.
 */
final class OfferBook {
  final Agent[] agents;
  final List<List<String>> offerIds = new ArrayList<>();
  final long[] cpus;
  final long[] mem;
  final long[] disk;
  final PortPool[] ports;
  /** What is left, cpus and mem each relative to the largest offer: smaller means fuller. */
  final double[] score;
  private final double cpuWeight;
  private final double memWeight;
  private final Map<String, Integer> indexById = new HashMap<>();

  OfferBook(List<AgentOffers> offers) {
    Map<String, List<AgentOffers>> byAgent = new TreeMap<>();
    for (AgentOffers o : offers) byAgent.computeIfAbsent(o.agent().id(), k -> new ArrayList<>()).add(o);
    int n = byAgent.size();
    agents = new Agent[n];
    cpus = new long[n];
    mem = new long[n];
    disk = new long[n];
    ports = new PortPool[n];
    score = new double[n];
    int a = 0;
    for (List<AgentOffers> same : byAgent.values()) {
      Agent agent = same.get(0).agent();
      PortPool pool = new PortPool();
      List<String> ids = new ArrayList<>();
      long c = 0;
      long m = 0;
      long d = 0;
      for (AgentOffers o : same) {
        if (!o.agent().equals(agent)) {
          throw new IllegalArgumentException("agent " + agent.id() + ": offers disagree about the agent: " + agent + " and " + o.agent());
        }
        for (String id : o.offerIds()) {
          if (ids.contains(id)) throw new IllegalArgumentException("agent " + agent.id() + ": offer " + id + " appears twice");
          ids.add(id);
        }
        c += Scalars.toMillis(o.cpus());
        m += Scalars.toMillis(o.mem());
        d += Scalars.toMillis(o.disk());
        for (PortRange r : o.ports()) pool.add(r, agent.id());
      }
      agents[a] = agent;
      ids.sort(null); // independent of the order offers arrived in
      offerIds.add(List.copyOf(ids));
      cpus[a] = c;
      mem[a] = m;
      disk[a] = d;
      ports[a] = pool;
      indexById.put(agent.id(), a);
      a++;
    }
    long maxCpus = 0;
    long maxMem = 0;
    for (int i = 0; i < n; i++) {
      maxCpus = Math.max(maxCpus, cpus[i]);
      maxMem = Math.max(maxMem, mem[i]);
    }
    cpuWeight = maxCpus == 0 ? 0 : 1.0 / maxCpus;
    memWeight = maxMem == 0 ? 0 : 1.0 / maxMem;
    for (int i = 0; i < n; i++) score[i] = cpus[i] * cpuWeight + mem[i] * memWeight;
  }

  int size() {
    return agents.length;
  }

  /** The agent's index, or -1 when it offers nothing this cycle. */
  int indexOf(String agentId) {
    Integer i = indexById.get(agentId);
    return i == null ? -1 : i;
  }

  boolean fits(int a, Demand demand) {
    if (cpus[a] < demand.cpus() || mem[a] < demand.mem() || disk[a] < demand.disk()) return false;
    PortPool pool = ports[a];
    if (pool.free() < demand.portCount()) return false;
    for (int p : demand.hardPorts()) if (!pool.contains(p)) return false;
    return true;
  }

  void consume(int a, Demand demand) {
    cpus[a] -= demand.cpus();
    mem[a] -= demand.mem();
    disk[a] -= demand.disk();
    score[a] = cpus[a] * cpuWeight + mem[a] * memWeight;
  }
}
