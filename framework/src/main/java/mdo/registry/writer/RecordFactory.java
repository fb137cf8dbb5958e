package mdo.registry.writer;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import mdo.marathon.AppPort;
import mdo.marathon.MarathonApp;
import mdo.marathon.Timestamps;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;

/** Builds instance records from an app definition and a task's own data (from an event or a task listing). */
final class RecordFactory {
  private RecordFactory() {}

  /** Marathon's timestamp format (always three millisecond digits, UTC). */
  static String format(Instant t) {
    return Timestamps.format(t);
  }

  static Instant parse(String t) {
    try {
      return t == null ? Instant.EPOCH : Timestamps.parse(t);
    } catch (RuntimeException e) {
      return Instant.EPOCH;
    }
  }

  /** Where the task's ports are reachable: the agent, or the task's own IP on a container network without host ports. */
  static String host(MarathonApp app, String agentHost, List<String> ips) {
    boolean anyHostPort = app.ports().stream().anyMatch(p -> p.hasHostPort(app.hostNetworking()));
    if (!app.ports().isEmpty() && !anyHostPort && !ips.isEmpty()) return ips.get(0);
    return agentHost == null || agentHost.isBlank() ? "unknown" : agentHost;
  }

  /**
   * Names the task's host ports from the app definition. A task's {@code ports} lists host ports only for the port
   * mappings that have one, in declaration order (API.md trip-up #3), so it is walked alongside the definitions rather
   * than indexed. Ports beyond the definitions are named {@code port<i>}.
   */
  static Map<String, PortMapping> ports(MarathonApp app, List<Integer> hostPorts, boolean onTaskIp) {
    Map<String, PortMapping> named = new LinkedHashMap<>();
    Iterator<Integer> host = hostPorts.iterator();
    int index = 0;
    for (AppPort p : app.ports()) {
      if (p.hasHostPort(app.hostNetworking())) {
        if (!host.hasNext()) break;
        int hp = host.next();
        int cp = app.hostNetworking() || p.containerPort() == 0 ? hp : p.containerPort();
        named.put(p.name(), new PortMapping(hp, cp, p.protocol()));
      } else if (onTaskIp && p.containerPort() > 0) {
        named.put(p.name(), new PortMapping(p.containerPort(), p.containerPort(), p.protocol()));
      }
      index++;
    }
    while (host.hasNext()) {
      int hp = host.next();
      String name = "port" + index++;
      named.putIfAbsent(name, new PortMapping(hp, hp, "tcp"));
    }
    return named;
  }

  /** True when two records say the same thing; the event timestamp alone does not make a write. */
  static boolean same(InstanceRecord a, InstanceRecord b) {
    return a != null && b != null
        && a.ordinal() == b.ordinal() && a.draining() == b.draining()
        && Objects.equals(a.service(), b.service()) && Objects.equals(a.taskId(), b.taskId())
        && Objects.equals(a.instanceId(), b.instanceId()) && Objects.equals(a.host(), b.host())
        && Objects.equals(a.ports(), b.ports()) && Objects.equals(a.labels(), b.labels())
        && Objects.equals(a.state(), b.state()) && Objects.equals(a.healthy(), b.healthy())
        && Objects.equals(a.appId(), b.appId()) && Objects.equals(a.appVersion(), b.appVersion())
        && Objects.equals(a.agentId(), b.agentId()) && Objects.equals(a.startedAt(), b.startedAt());
  }

  static InstanceRecord with(InstanceRecord r, String state, Boolean healthy, boolean draining, String timestamp) {
    return new InstanceRecord(r.service(), r.taskId(), r.instanceId(), r.ordinal(), r.host(), r.ports(), r.labels(),
        state, healthy, draining, r.appId(), r.appVersion(), r.agentId(), r.startedAt(), timestamp);
  }
}
