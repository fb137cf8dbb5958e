package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mdo.config.SubscriberSettings;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.desired.ServiceProgress;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The subscriber with {@code backend: mesos}: the native framework writes the registry, and the subscriber serves it
 * ({@code /info}, {@code /v1/services}) with the framework's reasons for tasks that wait; it never asks Marathon and
 * never writes or deletes a record, even one no Marathon knows.
 */
class FrameworkRegistryTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  Subscriber startReading() {
    SubscriberConfig marathonMode = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE,
        Harness.fastTuning());
    Subscriber s = new Subscriber(new SubscriberConfig(marathonMode.etcd(), marathonMode.marathon(),
        marathonMode.subscriber(), h.env, marathonMode.tuning(), SubscriberConfig.RegistryWriter.FRAMEWORK));
    h.subscriber = s;
    return s.start();
  }

  void put(String key, Object value) throws Exception {
    h.etcd.getKVClient().put(Etcd.bytes(key), ByteSequence.from(RegistryJson.write(value))).get(5, TimeUnit.SECONDS);
  }

  InstanceRecord record(int n) {
    return new InstanceRecord("db", h.env + "_db.instance-0000000" + n + "-0000-4000-8000-000000000000._app.1",
        h.env + "_db.instance-0000000" + n + "-0000-4000-8000-000000000000", n, "127.0.0.1",
        Map.of("native", new PortMapping(31000 + n, 9042, "tcp")), Map.of("MDO_SERVICE", "db"), "TASK_RUNNING", true,
        false, "/" + h.env + "/db", "2026-01-01T00:00:00.000Z", "agent-1", "2026-01-01T00:00:01.000Z",
        "2026-01-01T00:00:01.000Z");
  }

  @Test
  void servesTheFrameworksRegistryAndItsWaitingReasonsWithoutMarathonOrWrites() throws Exception {
    for (int n = 0; n < 2; n++) put(RegistryKeys.instance(h.env, "db", record(n).taskId()), record(n));
    put(FrameworkKeys.progress(h.env, "db"), new ServiceProgress("db", "d1", "v1", 3, 2, 2, 0, 0, true, false, 1,
        "no agent with port 9042 free", null, "2026-01-01T00:00:02.000Z"));
    put(FrameworkKeys.progress(h.env, "stuck"), new ServiceProgress("stuck", "d2", "v1", 1, 0, 0, 0, 0, false, false, 1,
        "constraint rack:LIKE:r9: 1 agent has no rack", null, "2026-01-01T00:00:02.000Z"));
    long revision = h.etcd.getKVClient().get(Etcd.bytes("/mdo/" + h.env + "/services/"),
        io.etcd.jetcd.options.GetOption.builder().isPrefix(true).build()).get(5, TimeUnit.SECONDS).getHeader()
        .getRevision();

    Subscriber s = startReading();

    await().atMost(Duration.ofSeconds(10)).until(() ->
        h.get(s, "/v1/services").json().path("services").path("db").path("instances").size() == 2);
    JsonNode services = h.get(s, "/v1/services").json().path("services");
    assertThat(services.path("db").path("waiting").path("count").asInt()).isEqualTo(1);
    assertThat(services.path("db").path("waiting").path("reason").asText()).isEqualTo("no agent with port 9042 free");
    assertThat(services.path("stuck").path("instances")).as("listed though nothing of it runs").isEmpty();
    assertThat(h.get(s, "/info").body()).contains("bin/framework: 1 instance waiting: no agent with port 9042 free")
        .contains("bin/framework: 1 instance waiting: constraint rack:LIKE:r9: 1 agent has no rack").contains(record(1).taskId());
    JsonNode health = h.get(s, "/health").json();
    assertThat(h.get(s, "/health").code()).as(health.toString()).isEqualTo(200);
    assertThat(health.path("role").asText()).isEqualTo("leader");
    assertThat(health.path("marathon").path("used").asBoolean(true)).isFalse();

    // a resync asked for runs nowhere: the registry is the framework's
    assertThat(h.post(s, "/v1/resync", "", Harness.TOKEN).code()).isEqualTo(202);
    assertThat(h.marathon.requests()).as("Marathon is never asked").isEmpty();
    assertThat(h.metric(s, "mdo_subscriber_resyncs_total")).isZero();
    assertThat(h.revisions().values()).as("no record written or deleted").allMatch(r -> r <= revision);
    assertThat(h.registry()).hasSize(2);
  }
}
