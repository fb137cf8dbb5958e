package mdo.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's streaming reader must read exactly what the databind mapping reads. */
class InstanceRecordReaderTest {
  static InstanceRecord full() {
    return new InstanceRecord("cassandra", "cassandra.7f3a", "cassandra.instance-1", 3, "fd00::5",
        Map.of("storage", new PortMapping(31005, 7000, "tcp"), "dns", new PortMapping(31053, 53, "udp")),
        Map.of("rack", "r1", "tier", ""), "TASK_RUNNING", Boolean.FALSE, true, "/prod/cassandra",
        "2026-11-21T10:00:00.000Z", "agent-7", "2026-11-21T10:00:01.000Z", "2026-11-21T10:00:02.000Z");
  }

  static InstanceRecord both(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    InstanceRecord streamed = InstanceRecordReader.read(bytes, "k");
    assertThat(streamed).isEqualTo(RegistryJson.read(bytes, InstanceRecord.class, "k"));
    return streamed;
  }

  @Test
  void readsEveryFieldTheMapperWrites() {
    InstanceRecord r = full();
    assertThat(InstanceRecordReader.read(RegistryJson.write(r), "k")).isEqualTo(r);
  }

  @Test
  void agreesWithTheMapperOnDefaultsUnknownFieldsAndNulls() {
    InstanceRecord minimal = both("{\"service\":\"kafka\",\"taskId\":\"kafka.1\",\"host\":\"h\"}");
    assertThat(minimal.state()).isEqualTo("TASK_RUNNING");
    assertThat(minimal.instanceId()).isEqualTo("kafka.1");
    assertThat(minimal.healthy()).isNull();
    both("{\"service\":\"kafka\",\"taskId\":\"kafka.1\",\"host\":\"h\",\"future\":{\"a\":[1,{\"b\":2}]},"
        + "\"healthy\":null,\"labels\":null,\"ports\":{\"broker\":{\"host\":31092,\"container\":9092,\"extra\":[1]}}}");
  }

  @Test
  void malformedValuesNameTheKey() {
    assertThatThrownBy(() -> InstanceRecordReader.read("{\"service\":".getBytes(StandardCharsets.UTF_8), "/mdo/x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("malformed registry value at /mdo/x");
    assertThatThrownBy(() -> InstanceRecordReader.read("{\"taskId\":\"a\",\"host\":\"h\"}".getBytes(StandardCharsets.UTF_8), "k"))
        .hasMessageContaining("service");
    assertThatThrownBy(() -> InstanceRecordReader.read("[]".getBytes(StandardCharsets.UTF_8), "k"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anOrdinalOutsideTheBoundIsBadDataForBothReaders() {
    for (String ordinal : new String[] {"-1", "100001", "2000000000"}) {
      byte[] json = ("{\"service\":\"kafka\",\"taskId\":\"kafka.1\",\"host\":\"h\",\"ordinal\":" + ordinal + "}")
          .getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> InstanceRecordReader.read(json, "k")).as(ordinal)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside 0..100000");
      assertThatThrownBy(() -> RegistryJson.read(json, InstanceRecord.class, "k")).as(ordinal)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside 0..100000");
    }
    assertThat(both("{\"service\":\"kafka\",\"taskId\":\"kafka.1\",\"host\":\"h\",\"ordinal\":100000}").ordinal())
        .isEqualTo(InstanceRecord.MAX_ORDINAL);
  }
}
