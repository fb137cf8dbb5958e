package mdo.guestutils;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;

/**
 * What a watch or a callback receives: the full member list (node-list order), the members added and removed since the
 * previous notification, and the registry revision it reflects. Receivers can act on {@code members} alone and ignore
 * duplicates: the payload is level-triggered.
 */
public record MembershipChange(
    String service, List<InstanceRecord> members, List<InstanceRecord> added, List<InstanceRecord> removed,
    long revision) {

  public MembershipChange {
    members = List.copyOf(members);
    added = List.copyOf(added);
    removed = List.copyOf(removed);
  }

  /** The change from {@code previous} to {@code current}; added/removed by task id. */
  public static MembershipChange between(
      String service, List<InstanceRecord> previous, List<InstanceRecord> current, long revision) {
    Set<String> before = new HashSet<>();
    for (InstanceRecord r : previous) before.add(r.taskId());
    Set<String> after = new HashSet<>();
    for (InstanceRecord r : current) after.add(r.taskId());
    List<InstanceRecord> added = current.stream().filter(r -> !before.contains(r.taskId())).toList();
    List<InstanceRecord> removed = previous.stream().filter(r -> !after.contains(r.taskId())).toList();
    return new MembershipChange(service, current, added, removed, revision);
  }

  /**
   * Whether two member lists differ in what a peer cares about (who, where, which ports, which labels), ignoring
   * bookkeeping such as event timestamps.
   */
  public static boolean sameMembers(List<InstanceRecord> a, List<InstanceRecord> b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); i++) {
      if (!identity(a.get(i)).equals(identity(b.get(i)))) return false;
    }
    return true;
  }

  private static List<Object> identity(InstanceRecord r) {
    Map<String, PortMapping> ports = r.ports();
    return List.of(r.taskId(), r.ordinal(), r.host(), ports, r.labels(), Objects.toString(r.ready()));
  }

  public int delta() {
    return added.size() - removed.size();
  }
}
