package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import org.junit.jupiter.api.Test;

/**
 * A container cannot tell which backend placed it: the same service launched through Marathon (the dev cluster) and
 * through the native framework (the dev cluster's Mesos mode) gets instance records of the same shape and the same task
 * environment (Marathon's variables and mdo's); only values that differ from launch to launch (ids, ports, times)
 * differ.
 */
class BackendIndistinguishableTest {
  /**
   * What a backend sets: Marathon's task variables and mdo's (not the agent's {@code MESOS_SANDBOX} and the like, nor
   * what the dev cluster's processes inherit from this test's own environment; the tokens differ by configuration).
   */
  static final Pattern BACKEND_VARIABLES = Pattern.compile("HOST|PORTS?|PORT_?\\w+|MESOS_TASK_ID|MARATHON_\\w+|ETCD_\\w+|"
      + "MDO_ENVIRONMENT|SERVICE_NAME|SUBSCRIBER_URL");

  @Test
  void recordsAndTaskEnvironmentsAreAlikeWithMarathonAndWithMesos() throws Exception {
    JsonNode marathonRecord;
    Map<String, String> marathonEnv;
    try (Stack marathon = new Stack()) {
      marathon.writeConfig(1);
      assertThat(marathon.launcher("--config", marathon.config.toString(), "--timeout", "60s", "peers").code())
          .isZero();
      InstanceRecord r = marathon.awaitRegistry(1).values().iterator().next();
      marathonRecord = RegistryJson.MAPPER.valueToTree(r);
      marathonEnv = environ(marathon.taskProcess(r.taskId()).pid());
    }
    JsonNode mesosRecord;
    Map<String, String> mesosEnv;
    try (MesosStack mesos = new MesosStack()) {
      mesos.services(Stack.peers(1));
      mesos.startFramework();
      assertThat(mesos.launcher("--config", mesos.config.toString(), "--timeout", "60s", "peers").code()).isZero();
      InstanceRecord r = mesos.awaitRegistry(1).values().iterator().next();
      mesosRecord = RegistryJson.MAPPER.valueToTree(r);
      mesosEnv = environ(mesos.taskProcess(r.taskId()).pid());
    }

    assertThat(fields(mesosRecord)).isEqualTo(fields(marathonRecord));
    for (JsonNode rec : new JsonNode[] {marathonRecord, mesosRecord}) {
      String env = rec.path("appId").asText().split("/")[1];
      assertThat(rec.path("appId").asText()).isEqualTo("/" + env + "/peers");
      assertThat(rec.path("taskId").asText()).matches(env + "_peers\\.instance-[0-9a-f-]{36}\\._app\\.1");
      assertThat(rec.path("taskId").asText()).startsWith(rec.path("instanceId").asText() + "._app.");
      assertThat(rec.path("ordinal").asInt()).isZero();
      assertThat(rec.path("host").asText()).isEqualTo("127.0.0.1");
      assertThat(rec.path("state").asText()).isEqualTo("TASK_RUNNING");
      assertThat(rec.path("healthy").asBoolean()).isTrue();
      assertThat(rec.path("draining").asBoolean()).isFalse();
      assertThat(rec.path("appVersion").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(rec.path("startedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      JsonNode http = rec.path("ports").path("http");
      assertThat(http.path("container").asInt()).isEqualTo(http.path("host").asInt());
      assertThat(http.path("protocol").asText()).isEqualTo("tcp");
      assertThat(fields(rec.path("labels"))).containsExactly("MDO_ENVIRONMENT", "MDO_SERVICE");
    }

    assertThat(backendVariables(mesosEnv)).isEqualTo(backendVariables(marathonEnv));
    for (Map<String, String> env : java.util.List.of(marathonEnv, mesosEnv)) {
      assertThat(env.get("PORT_HTTP")).isEqualTo(env.get("PORT0")).isEqualTo(env.get("PORT"));
      assertThat(env.get("MARATHON_APP_ID")).isEqualTo("/" + env.get("MDO_ENVIRONMENT") + "/peers");
      assertThat(env.get("MARATHON_APP_RESOURCE_CPUS")).isEqualTo("0.1");
      assertThat(env.get("MARATHON_APP_RESOURCE_MEM")).isEqualTo("64.0");
      assertThat(env.get("MARATHON_APP_LABELS")).isEqualTo("MDO_SERVICE MDO_ENVIRONMENT");
    }
  }

  private static Set<String> fields(JsonNode node) {
    Set<String> out = new TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) out.add(it.next());
    return out;
  }

  /** The variable names a backend sets (not the agent, the shell or the test's own environment). */
  private static Set<String> backendVariables(Map<String, String> env) {
    Set<String> out = new TreeSet<>();
    for (String name : env.keySet()) if (BACKEND_VARIABLES.matcher(name).matches()) out.add(name);
    return out;
  }

  private static Map<String, String> environ(long pid) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String entry : new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"))).split("\0")) {
      int eq = entry.indexOf('=');
      if (eq > 0) out.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return out;
  }
}
