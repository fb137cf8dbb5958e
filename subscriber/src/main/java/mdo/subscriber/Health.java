package mdo.subscriber;

import java.util.List;
import java.util.Map;
import mdo.leader.Leader;

/**
/**
 * What /health reports. {@code healthy} is false when any {@code problems} are listed: etcd or Marathon do not answer,
 * or (the leader) the stream (SSE mode) is down, no resync completed yet, resyncs have kept failing for longer than
 * allowed, the last resync kept records it could not confirm stale, or etcd writes failed since it ran.
 * {@code warnings} are worth knowing but not (yet) unhealthy: a resync failing for a shorter while, bad data in the
 * registry. A standby is healthy while it can read the registry and reach Marathon, ready to take over.
 *
 * @param role {@code leader} or {@code standby}
 * @param leader who leads, as published in the leader key ({@code url} for the admin only); {@code null} while nobody
 *     does
 */
record Health(boolean healthy, List<String> problems, List<String> warnings, String role, Leader leader,
    Map<String, Object> stream, Map<String, Object> resync, Map<String, Object> etcd, Map<String, Object> marathon,
    int records, int queueDepth) {}
