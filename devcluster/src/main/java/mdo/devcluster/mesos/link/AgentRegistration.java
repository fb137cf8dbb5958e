package mdo.devcluster.mesos.link;

import java.util.List;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Attribute;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Resource;
import org.apache.mesos.v1.Protos.Task;

/**
 * An agent introducing itself ({@code RegisterSlaveMessage} / {@code ReregisterSlaveMessage}).
 *
 * @param hostname what offers and tasks report as the agent's host
 * @param port the agent's (nominal) port, for offer URLs and {@code MESOS_AGENT_ENDPOINT}
 * @param resources everything the agent has (cpus, mem, disk, ports)
 * @param tasks the tasks it runs now, with their latest states (empty on a first registration)
 * @param frameworks the frameworks of those tasks
 * @param channel how the master reaches this agent
 */
public record AgentRegistration(AgentID agentId, String hostname, int port, List<Resource> resources,
                                List<Attribute> attributes, List<Task> tasks, List<FrameworkInfo> frameworks,
                                AgentChannel channel) {}
