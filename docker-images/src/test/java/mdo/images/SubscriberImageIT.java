package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import mdo.devcluster.DevCluster;
import mdo.devcluster.Settings;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The subscriber image against a real etcd and Marathon stand-in: with a mounted config.yaml, and the original way. */
class SubscriberImageIT {
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
  void withConfigYamlMountedItAnswersHealthAgainstAHostEtcdAndRegistersTasks() throws Exception {
    int port = freePort();
    try (EtcdServer etcd = EtcdServer.start();
         DevCluster marathon = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0)
             .withPortRange(38000, 38099).withContainerEngines(List.of()))) {
      Path config = Podman.readable(Files.writeString(dir.resolve("config.yaml"), """
          environment: it
          marathon:
            url: %s
          etcd:
            endpoints: [%s]
          subscriber:
            host: 127.0.0.1
            port: %d
            token: it-token
          """.formatted(marathon.url(), etcd.endpoint(), port)));
      String subscriber = podman.start(Podman.name("subscriber"), List.of("--network", "host",
          "-v", config + ":/etc/mdo/config.yaml:ro", "-e", "MDO_HEALTH_URL=http://127.0.0.1:" + port + "/health"),
          Images.get("subscriber").ref());
      awaitHealth("http://127.0.0.1:" + port, subscriber);
      ImageRuntimeIT.awaitHealthy(subscriber, "subscriber");

      // A task of an mdo service in Marathon becomes a record the subscriber serves.
      post(marathon.url() + "/v2/apps", null, """
          {"id":"/it/peers","cmd":"exec sleep 600","instances":1,"cpus":0.1,"mem":16,
           "labels":{"MDO_SERVICE":"peers","MDO_ENVIRONMENT":"it"},"portDefinitions":[{"port":0,"name":"http"}]}""");
      await("the task's record").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptions().until(() -> get("http://127.0.0.1:" + port + "/v1/services/peers", null).path("instances").size() == 1);
      ImageRuntimeIT.assertStopsWithinGrace(subscriber);
    }
  }

  /**
   * The original tool's way: config.yaml mounted where its image kept it, the container's port 5000 published, and
   * CONTAINER_HOST_ADDRESS/CONTAINER_HOST_PORT naming the public address. Here etcd and the dev cluster run as
   * containers beside it on one network; the public address is that network's gateway, which every container and
   * this machine reach. Marathon (the dev cluster) calls the subscriber back there, through the published port.
   */
  @Test
  void theOriginalToolsWayAnnouncesThePublicAddressAndMarathonCallsItThere() throws Exception {
    String network = podman.network(Podman.name("net"));
    String gateway = Podman.run("network", "inspect", "--format", "{{range .Subnets}}{{.Gateway}}{{end}}", network)
        .ok().out();
    int subscriberPort = freePort();
    int marathonPort = freePort();
    String password = "pw-" + ProcessHandle.current().pid();
    String etcd = podman.start(Podman.name("etcd"), List.of("--network", network, "--network-alias", "etcd"),
        Images.get("etcd").ref());
    // Marathon as the original tool knew it: 1.4 with HTTP callbacks (--event_subscriber http_callback). Its host
    // name is the one the others use: the dev cluster answers only to names it knows (a DNS-rebinding guard).
    String marathon = podman.start(Podman.name("marathon"), List.of("--network", network, "--network-alias", "marathon",
        "--hostname", "marathon",
        "-p", "127.0.0.1:" + marathonPort + ":8080", "-e", "MDO_DEVCLUSTER_AUTH=it:" + password),
        Images.get("devcluster").ref(), "--marathon-version", "1.4", "--event-subscriber", "http_callback");
    ImageRuntimeIT.awaitHealthy(etcd, "etcd");
    ImageRuntimeIT.awaitHealthy(marathon, "devcluster");
    Path config = Podman.readable(Files.writeString(dir.resolve("config.yaml"), """
        environment: it
        marathon: {url: "http://marathon:8080", user: it}
        etcd: {host: etcd, port: 2379}
        subscriber: {host: localhost, port: 5000, events: callback, token: it-token}
        """));
    String subscriber = podman.start(Podman.name("subscriber"), List.of("--network", network,
        "-p", subscriberPort + ":5000", "-v", config + ":/opt/subscriber/config.yaml:ro",
        "-e", "CONTAINER_HOST_ADDRESS=" + gateway, "-e", "CONTAINER_HOST_PORT=" + subscriberPort,
        "-e", "MARATHON_PASSWORD=" + password), Images.get("subscriber").ref());
    String self = "http://127.0.0.1:" + subscriberPort;
    awaitHealth(self, subscriber);
    ImageRuntimeIT.awaitHealthy(subscriber, "subscriber");
    String auth = "it:" + password;
    String api = "http://127.0.0.1:" + marathonPort;
    assertThat(get(api + "/v2/eventSubscriptions", auth).path("callbackUrls").toString())
        .contains("http://" + gateway + ":" + subscriberPort + "/callback");
    assertThat(Podman.logs(subscriber)).contains("serving on 0.0.0.0:5000, reached at http://" + gateway + ":" + subscriberPort);

    // Events reach it by that address: a task started in the dev cluster becomes a record.
    post(api + "/v2/apps", auth, """
        {"id":"/it/peers","cmd":"exec sleep 600","instances":1,"cpus":0.1,"mem":16,
         "labels":{"MDO_SERVICE":"peers","MDO_ENVIRONMENT":"it"},"portDefinitions":[{"port":0,"name":"http"}]}""");
    await("the task's record").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions().until(() -> get(self + "/v1/services/peers", null).path("instances").size() == 1);
    ImageRuntimeIT.assertStopsWithinGrace(subscriber);
    assertThat(get(api + "/v2/eventSubscriptions", auth).path("callbackUrls").toString())
        .as("the subscription after a clean stop").doesNotContain(":" + subscriberPort + "/callback");
  }

  @Test
  void halfOfTheOriginalVariablesIsRefusedWithWhatIsMissing() {
    String subscriber = podman.start(Podman.name("subscriber-half"), List.of("--network", "none",
        "-e", "CONTAINER_HOST_ADDRESS=10.0.0.5"), Images.get("subscriber").ref());
    await("the subscriber to refuse").atMost(Duration.ofSeconds(60))
        .until(() -> Podman.inspect(subscriber, "{{.State.Status}}").equals("exited"));
    assertThat(Podman.inspect(subscriber, "{{.State.ExitCode}}")).isEqualTo("2");
    assertThat(Podman.logs(subscriber)).contains("set both CONTAINER_HOST_ADDRESS and CONTAINER_HOST_PORT");
  }

  @Test
  void withoutAConfigItSaysWhereToMountOne() {
    String subscriber = podman.start(Podman.name("subscriber-bare"), List.of("--network", "none"),
        Images.get("subscriber").ref());
    await("the subscriber to stop").atMost(Duration.ofSeconds(60))
        .until(() -> Podman.inspect(subscriber, "{{.State.Status}}").equals("exited"));
    assertThat(Podman.inspect(subscriber, "{{.State.ExitCode}}")).isEqualTo("2");
    assertThat(Podman.logs(subscriber)).contains("no config.yaml: mount one at /etc/mdo/config.yaml");
  }

  private void awaitHealth(String base, String container) {
    try {
      await("the subscriber's /health").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
        if (!Podman.inspect(container, "{{.State.Status}}").equals("running")) {
          throw new AssertionError("the subscriber stopped:\n" + Podman.logs(container));
        }
        try {
          return http.send(HttpRequest.newBuilder(URI.create(base + "/health")).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException e) {
          return false;
        }
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(e.getMessage() + "\n/health: " + Podman.exec(container,
          "curl -s http://127.0.0.1:5000/health || true").out() + "\nlog:\n" + Podman.logs(container), e);
    }
  }

  private JsonNode get(String url, String credentials) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (credentials != null) request.header("Authorization", basic(credentials));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private void post(String url, String credentials, String body) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    if (credentials != null) request.header("Authorization", basic(credentials));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("POST %s: %s", url, response.body()).isEqualTo(201);
  }

  private static String basic(String credentials) {
    return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
