package mdo.devcluster.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Host ports for tasks: dynamic ones from the configured range, fixed ones on request. A port counts as free when
 * no task of ours holds it and it can be bound right now (so ports other programs use are skipped).
 */
final class PortAllocator {
  private final int start;
  private final int end;
  private final Set<Integer> held = new HashSet<>();
  private int next;

  PortAllocator(int start, int end) {
    this.start = start;
    this.end = end;
    this.next = start;
  }

  synchronized int dynamic() {
    int size = end - start + 1;
    for (int i = 0; i < size; i++) {
      int port = start + (next - start + i) % size;
      if (!held.contains(port) && bindable(port)) {
        held.add(port);
        next = port + 1 > end ? start : port + 1;
        return port;
      }
    }
    throw new IllegalStateException("no free host port left in " + start + "-" + end);
  }

  /** True when one of our own tasks holds the port (the instance then waits, as it would for an offer). */
  synchronized boolean heldByUs(int port) {
    return held.contains(port);
  }

  /** Takes a fixed port; fails with a clear message when some other program has it. */
  synchronized void fixed(int port) {
    if (held.contains(port)) throw new IllegalStateException("host port " + port + " is held by another task");
    if (!bindable(port)) {
      throw new IllegalStateException("host port " + port + " is already in use on this machine");
    }
    held.add(port);
  }

  synchronized void release(Collection<Integer> ports) {
    held.removeAll(ports);
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
