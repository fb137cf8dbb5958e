package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import mdo.framework.server.FrameworkProcess;
import mdo.registry.RegistryJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@code bin/framework} serves: {@code /health} and {@code /metrics}, to programs but not to web pages. */
class MesosFrameworkServerTest {
  MesosStack stack;
  FrameworkProcess framework;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    stack = new MesosStack();
    framework = stack.startFramework();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  HttpResponse<String> get(String path, String host) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + framework.port() + path))
        .timeout(Duration.ofSeconds(5));
    if (host != null) request.header("Origin", "http://" + host);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode health() throws Exception {
    return RegistryJson.MAPPER.readTree(get("/health", null).body());
  }

  @Test
  void healthSaysLeaderSubscribedWithTheServicesProgress() throws Exception {
    await("subscribed").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .until(() -> get("/health", null).statusCode() == 200);
    assertThat(stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers").code()).isZero();

    JsonNode h = health();
    assertThat(h.path("healthy").asBoolean()).isTrue();
    assertThat(h.path("role").asText()).isEqualTo("leader");
    assertThat(h.path("mesos").path("state").asText()).isEqualTo("SUBSCRIBED");
    assertThat(h.path("mesos").path("frameworkId").asText()).isEqualTo(stack.frameworkIds().get(0));
    assertThat(h.path("scheduler").path("tasks").asInt()).isEqualTo(2);
    assertThat(h.path("services").path("peers").path("done").asBoolean()).isTrue();
    assertThat(h.path("etcd").path("reachable").asBoolean()).isTrue();
  }

  @Test
  void metricsCountOffersLaunchesAndWhatWaitsWithWhy() throws Exception {
    stack.services(Stack.peers(1) + Stack.peers(1).replace("peers:", "stuck:")
        .replace("    cpus: 0.1\n", "    cpus: 0.1\n    constraints: [[rack, LIKE, r9]]\n"));
    assertThat(stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers").code()).isZero();
    assertThat(stack.launcher("--config", stack.config.toString(), "--no-wait", "stuck").code()).isZero();

    await("the stuck service's reason in the metrics").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(get("/metrics", null).body()).contains("mdo_framework_pending_tasks{reason=\"constraint"
            + " rack:LIKE:r9: 1 agent has no rack\",service=\"stuck\"} 1.0"));
    String metrics = get("/metrics", null).body();
    assertThat(metric(metrics, "mdo_framework_offers_received_total")).isPositive();
    assertThat(metric(metrics, "mdo_framework_offers_accepted_total")).isPositive();
    assertThat(metric(metrics, "mdo_framework_offers_declined_total")).isPositive();
    assertThat(metric(metrics, "mdo_framework_tasks_launched_total")).isEqualTo(1.0);
    assertThat(metric(metrics, "mdo_framework_launch_latency_seconds_count")).isEqualTo(1.0);
    assertThat(metric(metrics, "mdo_framework_leader")).isEqualTo(1.0);
    assertThat(metric(metrics, "mdo_framework_subscribed")).isEqualTo(1.0);
    assertThat(metrics).contains("mdo_framework_tasks{state=\"TASK_RUNNING\"} 1.0");
  }

  @Test
  void aMasterThatDoesNotAnswerMakesItUnhealthySayingWhy() throws Exception {
    stack.stopFramework(framework);
    Stack.write(stack.config, java.nio.file.Files.readString(stack.config)
        .replace(stack.masterUrls().get(0), "http://127.0.0.1:1"));
    framework = stack.startFramework();

    await("a failed subscription in /health").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> r = get("/health", null);
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(RegistryJson.MAPPER.readTree(r.body()).path("problems").toString())
          .contains("not subscribed to Mesos: cannot subscribe at http://127.0.0.1:1/api/v1/scheduler");
    });
  }

  @Test
  void webPagesOfOtherSitesAreRefused() throws Exception {
    HttpResponse<String> r = get("/health", "evil.example");

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("cross-origin request from 'http://evil.example' refused");
  }

  private static double metric(String scrape, String name) {
    return scrape.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
