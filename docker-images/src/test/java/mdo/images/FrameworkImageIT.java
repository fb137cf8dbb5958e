package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import mdo.devcluster.mesos.MesosDevCluster;
import mdo.devcluster.mesos.MesosSettings;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The framework image as its Dockerfile documents it: config.yaml mounted, host networking, against a real etcd and
 * the dev cluster's Mesos master and agent on loopback. launcher (in this JVM, {@code backend: mesos}) writes a
 * service's desired state and returns only once the framework in the container has placed and run it.
 */
class FrameworkImageIT {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  final Podman podman = new Podman();
  @TempDir Path dir;

  @BeforeAll
  @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
  static void build() {
    Images.built();
  }

  @AfterEach
  void cleanUp() {
    podman.close();
  }

  @Test
  void itSubscribesLeadsAndRunsWhatLauncherAsksForThenStopsOnSigterm() throws Exception {
    int port = SubscriberImageIT.freePort();
    Path state = dir.resolve("mesos");
    try (EtcdServer etcd = EtcdServer.start();
         MesosDevCluster mesos = MesosDevCluster.start(MesosSettings.defaults(state).withPort(0)
             .withAgentResources(MesosSettings.machineResources(state, "38100-38199"))
             .withContainerEngines(List.of()))) {
      Path config = Podman.readable(Files.writeString(dir.resolve("config.yaml"), """
          environment: it
          backend: mesos
          mesos:
            url: %s
          etcd:
            endpoints: [%s]
          services:
            sleeper:
              cmd: exec sleep 600
              cpus: 0.1
              mem: 32
              ports: {http: 0}
          """.formatted(mesos.url(), etcd.endpoint())));
      String framework = podman.start(Podman.name("framework"), List.of("--network", "host",
          "-v", config + ":/etc/mdo/config.yaml:ro", "-e", "MDO_FRAMEWORK_PORT=" + port), Images.get("framework").ref());
      String health = "http://127.0.0.1:" + port + "/health";
      awaitHealth(health, framework, "leading, subscribed with a framework id", body -> body.path("role").asText()
          .equals("leader") && !body.path("mesos").path("frameworkId").asText().isBlank());
      ImageRuntimeIT.awaitHealthy(framework, "framework");

      Cli.Result launched = Cli.succeeds(mdo.launcher.Main::run, "--config", config.toString(), "--timeout", "60s",
          "sleeper");
      assertThat(launched.out() + launched.err()).contains("1/1 running");
      awaitHealth(health, framework, "a report on the service", body -> body.path("services").has("sleeper"));

      ImageRuntimeIT.assertStopsWithinGrace(framework);
    }
  }

  /** Polls /health until it answers 200 with a body that matches. */
  private void awaitHealth(String url, String container, String what, Predicate<JsonNode> match) {
    try {
      await("the framework's /health: " + what).atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            if (!Podman.inspect(container, "{{.State.Status}}").equals("running")) {
              throw new AssertionError("the framework stopped:\n" + Podman.logs(container));
            }
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                  .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
              return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
            } catch (IOException e) {
              return null;
            }
          }, body -> body != null && match.test(body));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\nlog:\n" + Podman.logs(container), e);
    }
  }
}
