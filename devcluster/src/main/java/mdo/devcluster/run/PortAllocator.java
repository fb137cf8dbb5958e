package mdo.devcluster.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import mdo.devcluster.PortRanges;

/**
 * The agent's host ports: dynamic ones are picked from its {@code ports} resource, fixed ones taken on request. Like
 * a Mesos offer, only ports of the resource that no task of ours holds are on offer; a dynamic port must also be
 * bindable right now, so ports other programs use are skipped.
 */
final class PortAllocator {
  private final PortRanges ranges;
  private final int[] ports;
  private final Set<Integer> held = new HashSet<>();
  private int next;

  PortAllocator(PortRanges ranges) {
    this.ranges = ranges;
    List<Integer> all = ranges.ports();
    this.ports = all.stream().mapToInt(Integer::intValue).toArray();
  }

  PortRanges ranges() {
    return ranges;
  }

  synchronized int dynamic() {
    for (int i = 0; i < ports.length; i++) {
      int index = (next + i) % ports.length;
      int port = ports[index];
      if (!held.contains(port) && bindable(port)) {
        held.add(port);
        next = (index + 1) % ports.length;
        return port;
      }
    }
    throw new IllegalStateException("no free host port left in " + ranges);
  }

  /** True when an offer would carry this port: it is in the agent's resource and no task of ours holds it. */
  synchronized boolean offered(int port) {
    return ranges.contains(port) && !held.contains(port);
  }

  /** How many ports an offer would carry now. */
  synchronized int offeredCount() {
    return ports.length - held.size();
  }

  /** Takes a port the offer carried; fails with a clear message when some other program has it. */
  synchronized void fixed(int port) {
    if (!offered(port)) throw new IllegalStateException("host port " + port + " is not offered by the agent");
    if (!bindable(port)) {
      throw new IllegalStateException("host port " + port + " is already in use on this machine");
    }
    held.add(port);
  }

  synchronized void release(Collection<Integer> released) {
    held.removeAll(released);
  }

  static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
