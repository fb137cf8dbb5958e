package mdo.guestutils;

import java.util.ArrayList;
import java.util.List;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;

/** A node list's source: registry records, or maestro's environment variables when etcd is unreachable. */
record Nodes(List<InstanceRecord> records, List<String> envNames, GuestEnv env) {
  static Nodes of(ServiceSnapshot snapshot, NodeQuery query) {
    return new Nodes(snapshot.instances().stream().filter(query::matches).toList(), null, null);
  }

  static Nodes fromEnv(GuestEnv env, String service) {
    List<String> names = new ArrayList<>();
    names.addAll(env.instances(service));
    if (names.isEmpty() && env.serviceName() != null && env.serviceName().equals(service)
        && env.containerName() != null && env.hostAddress() != null) {
      names.add(env.containerName()); // Marathon gives a task only itself
    }
    return new Nodes(null, names, env);
  }

  int count() {
    return records != null ? records.size() : envNames.size();
  }

  List<String> format(String service, List<String> ports) {
    List<String> out = new ArrayList<>(count());
    if (records != null) {
      for (InstanceRecord r : records) {
        int[] values = new int[ports.size()];
        for (int i = 0; i < values.length; i++) {
          PortMapping m = r.ports().get(ports.get(i));
          if (m == null) {
            throw new GuestUtilsException(
                "No port " + ports.get(i) + " defined for container " + r.taskId() + " of service " + service);
          }
          values[i] = m.host();
        }
        out.add(NodeFormat.node(r.host(), values));
      }
    } else {
      for (String name : envNames) {
        int[] values = new int[ports.size()];
        for (int i = 0; i < values.length; i++) {
          Integer p = env.externalPort(service, name, ports.get(i));
          if (p == null && env.isSelf(service, name)) p = env.marathonPort(ports.get(i));
          if (p == null) {
            throw new GuestUtilsException(
                "No port " + ports.get(i) + " defined for container " + name + " of service " + service);
          }
          values[i] = p;
        }
        String host = env.host(service, name);
        if (host == null) {
          throw new GuestUtilsException("No host defined for container " + name + " of service " + service);
        }
        out.add(NodeFormat.node(host, values));
      }
    }
    return out;
  }
}
