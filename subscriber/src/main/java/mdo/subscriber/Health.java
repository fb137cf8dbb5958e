package mdo.subscriber;

import java.util.List;
import java.util.Map;

/**
 * What /health reports. {@code healthy} is false when any {@code problems} are listed: the stream (SSE mode) is down,
 * etcd or Marathon do not answer, the last resync failed or refused deletions, or etcd writes failed since it ran.
 */
record Health(boolean healthy, List<String> problems, Map<String, Object> stream, Map<String, Object> resync,
    Map<String, Object> etcd, Map<String, Object> marathon, int records, int queueDepth) {}
