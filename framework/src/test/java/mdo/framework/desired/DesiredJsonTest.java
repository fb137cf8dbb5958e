package mdo.framework.desired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdo.cluster.ServiceDefinition;
import mdo.config.ConfigLoader;
import mdo.config.MdoConfig;
import org.junit.jupiter.api.Test;

class DesiredJsonTest {
  static final Path EXAMPLE = Path.of(System.getProperty("mdo.repo.root", "..")).resolve("config.yaml.example");

  @Test
  void everyServiceOfTheDocumentedExampleReadsBackEqual() {
    MdoConfig cfg = ConfigLoader.load(EXAMPLE, Map.of());
    for (String name : cfg.services().keySet()) {
      ServiceDefinition d = ServiceDefinition.of(cfg, cfg.service(name));
      DesiredService written = new DesiredService(d, "2026-01-02T03:04:05.678Z", "2026-01-01T00:00:00.000Z", "dep-1",
          ServicePorts.assign(d, List.of(), List.of()));

      DesiredService read = DesiredJson.read(DesiredJson.write(written), "/mdo/default/framework/services/" + name);

      assertThat(read).isEqualTo(written);
      assertThat(ServiceDefinition.differences(read.definition(), d)).isEmpty();
    }
  }

  @Test
  void somethingElseIsRefusedNamingItsKey() {
    String key = "/mdo/default/framework/services/web";
    assertThatThrownBy(() -> DesiredJson.read("not json".getBytes(StandardCharsets.UTF_8), key))
        .hasMessageStartingWith("malformed desired state at " + key + ": ");
    assertThatThrownBy(() -> DesiredJson.read("{\"service\":\"web\"}".getBytes(StandardCharsets.UTF_8), key))
        .hasMessageContaining("'definition' must be an object");
    MdoConfig cfg = ConfigLoader.load(EXAMPLE, Map.of());
    ServiceDefinition hello = ServiceDefinition.of(cfg, cfg.service("hello"));
    String json = new String(DesiredJson.write(new DesiredService(hello, "v", "v", "d",
        ServicePorts.assign(hello, List.of(), List.of()))), StandardCharsets.UTF_8).replace("\"instances\":2", "\"instances\":-1");
    assertThatThrownBy(() -> DesiredJson.read(json.getBytes(StandardCharsets.UTF_8), key))
        .hasMessageContaining("instances must be 0 or more, got -1");
  }
}
