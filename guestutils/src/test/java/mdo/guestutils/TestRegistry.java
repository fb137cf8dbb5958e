package mdo.guestutils;

import io.etcd.jetcd.Client;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;

/** Writes instance records into a real etcd the way the subscriber does: InstanceRecord JSON, one key per instance. */
final class TestRegistry implements AutoCloseable {
  final EtcdServer etcd;
  final String env;
  final Client client;

  TestRegistry(EtcdServer etcd) {
    this.etcd = etcd;
    this.env = "t" + UUID.randomUUID().toString().substring(0, 8);
    this.client = Etcd.client(EtcdSettings.of(etcd.endpoint()));
  }

  InstanceRecord put(InstanceRecord r) {
    try {
      client.getKVClient().put(Etcd.bytes(RegistryKeys.instance(env, r.service(), r.taskId())),
          io.etcd.jetcd.ByteSequence.from(RegistryJson.write(r))).get(10, TimeUnit.SECONDS);
      return r;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void putRaw(String service, String taskId, String json) {
    try {
      client.getKVClient().put(Etcd.bytes(RegistryKeys.instance(env, service, taskId)), Etcd.bytes(json))
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void delete(String service, String taskId) {
    try {
      client.getKVClient().delete(Etcd.bytes(RegistryKeys.instance(env, service, taskId))).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static InstanceRecord record(String service, String taskId, int ordinal, String host, Object... namePortPairs) {
    Map<String, PortMapping> ports = new LinkedHashMap<>();
    for (int i = 0; i < namePortPairs.length; i += 3) {
      ports.put((String) namePortPairs[i], new PortMapping((Integer) namePortPairs[i + 1], (Integer) namePortPairs[i + 2], "tcp"));
    }
    return new InstanceRecord(service, taskId, null, ordinal, host, ports, Map.of(), "TASK_RUNNING", null, false,
        "/" + service, "2026-11-21T10:00:00.000Z", "agent-1", "2026-11-21T10:00:01.000Z", "2026-11-21T10:00:01.000Z");
  }

  static InstanceRecord with(InstanceRecord r, String state, Boolean healthy, boolean draining, Map<String, String> labels) {
    return new InstanceRecord(r.service(), r.taskId(), r.instanceId(), r.ordinal(), r.host(), r.ports(), labels, state,
        healthy, draining, r.appId(), r.appVersion(), r.agentId(), r.startedAt(), r.eventTimestamp());
  }

  /** A GuestUtils reading this registry through the JSON gateway, as the CLI does. */
  GuestUtils guest(Map<String, String> vars) {
    Map<String, String> all = new LinkedHashMap<>(vars);
    all.put("ETCD_ENDPOINTS", etcd.endpoint());
    all.put("MDO_ENVIRONMENT", env);
    GuestEnv guestEnv = new GuestEnv(all);
    return new GuestUtils(guestEnv, GuestConfig.from(guestEnv, null).reader());
  }

  @Override
  public void close() {
    client.close();
  }
}
