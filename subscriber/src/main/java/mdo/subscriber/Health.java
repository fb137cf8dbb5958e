package mdo.subscriber;

import java.util.List;
import java.util.Map;

/**
 * What /health reports. {@code healthy} is false when any {@code problems} are listed: the stream (SSE mode) is down,
 * etcd or Marathon do not answer, no resync completed yet, resyncs have kept failing for longer than allowed, the last
 * resync kept records it could not confirm stale, or etcd writes failed since it ran. {@code warnings} are worth
 * knowing but not (yet) unhealthy: a resync failing for a shorter while, bad data in the registry.
 */
record Health(boolean healthy, List<String> problems, List<String> warnings, Map<String, Object> stream,
    Map<String, Object> resync, Map<String, Object> etcd, Map<String, Object> marathon, int records, int queueDepth) {}
