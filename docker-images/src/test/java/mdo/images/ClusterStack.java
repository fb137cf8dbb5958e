package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.config.SubscriberSettings;
import mdo.devcluster.DevCluster;
import mdo.devcluster.Settings;
import mdo.config.MarathonSettings;
import mdo.registry.EtcdSettings;
import mdo.subscriber.Subscriber;
import mdo.subscriber.SubscriberConfig;
import mdo.testkit.EtcdServer;

/**
 * A real etcd, the dev cluster (in this JVM, running image apps with the engine it finds: podman here) and the
 * subscriber (in this JVM, on loopback), for tests that run the images as Marathon tasks. Containers use host
 * networking to reach etcd and the subscriber, as the demo's do; {@link #close()} leaves no container behind.
 */
final class ClusterStack implements AutoCloseable {
  static final String TOKEN = "it-token-5c1e";
  static final String REGISTRATION_SECRET = "it-registration-8d2b";
  private static final AtomicInteger ENVS = new AtomicInteger();
  static final ObjectMapper JSON = new ObjectMapper();

  final String env = "img" + ENVS.incrementAndGet() + "x" + ProcessHandle.current().pid();
  final Path dir;
  final EtcdServer etcd;
  final DevCluster cluster;
  final Subscriber subscriber;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  ClusterStack(Path dir, int rangeStart) {
    this.dir = dir;
    EtcdServer etcdStarted = EtcdServer.start();
    DevCluster clusterStarted = null;
    try {
      clusterStarted = DevCluster.start(Settings.defaults(dir.resolve("devcluster")).withPort(0)
          .withPortRange(rangeStart, rangeStart + 99).withHeartbeat(Duration.ofSeconds(1))
          .withDefaultKillGrace(Duration.ofSeconds(5)).withCallbackTimeout(Duration.ofSeconds(2)));
      SubscriberSettings settings = new SubscriberSettings("127.0.0.1", 0, null, TOKEN,
          SubscriberSettings.EventSource.SSE, Duration.ofSeconds(60), null, Duration.ofSeconds(10), List.of("127.0.0.0/8"))
          .withRegistrationSecret(REGISTRATION_SECRET);
      MarathonSettings marathon = new MarathonSettings(List.of(URI.create(clusterStarted.url())), null, null, null, null,
          Duration.ofSeconds(5));
      subscriber = new Subscriber(new SubscriberConfig(EtcdSettings.of(etcdStarted.endpoint()), marathon, settings, env))
          .start();
    } catch (RuntimeException e) {
      if (clusterStarted != null) clusterStarted.close();
      etcdStarted.close();
      throw e;
    }
    etcd = etcdStarted;
    cluster = clusterStarted;
  }

  String subscriberUrl() {
    return "http://127.0.0.1:" + subscriber.port();
  }

  /** The tasks of an app as the dev cluster lists them. */
  List<JsonNode> tasks(String appId) {
    List<JsonNode> out = new ArrayList<>();
    get(cluster.url() + "/v2/apps" + appId + "/tasks").path("tasks").forEach(out::add);
    return out;
  }

  /** The instances the subscriber serves for a service (its records in etcd); none while it answers 404. */
  List<JsonNode> records(String service) {
    String url = subscriberUrl() + "/v1/services/" + service;
    if (fetch(url).statusCode() == 404) return List.of();
    List<JsonNode> out = new ArrayList<>();
    get(url).path("instances").forEach(out::add);
    return out;
  }

  JsonNode get(String url) {
    HttpResponse<String> response = fetch(url);
    assertThat(response.statusCode()).as("GET %s: %s", url, response.body()).isEqualTo(200);
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": not JSON: " + response.body(), e);
    }
  }

  private HttpResponse<String> fetch(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + url + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends an app definition to the dev cluster, as Marathon's API takes it. */
  void deploy(String app) {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/v2/apps"))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(app))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as("POST /v2/apps: %s", response.body()).isEqualTo(201);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  void delete(String appId) {
    try {
      http.send(HttpRequest.newBuilder(URI.create(cluster.url() + "/v2/apps" + appId)).DELETE()
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void write(Path file, String text) {
    try {
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path sandbox(String taskId) {
    return cluster.settings().stateDir().resolve("tasks").resolve(taskId);
  }

  String stdout(String taskId) {
    try {
      return Files.readString(sandbox(taskId).resolve("stdout"));
    } catch (IOException e) {
      return "(no stdout: " + e + ")";
    }
  }

  /** The containers the dev cluster runs for a task (by the label it gives them). */
  static List<String> containers(String taskId) {
    return Podman.withLabel("MESOS_TASK_ID=" + taskId);
  }

  @Override
  public void close() {
    List<String> taskIds = new ArrayList<>();
    try {
      try (var sandboxes = Files.list(cluster.settings().stateDir().resolve("tasks"))) {
        sandboxes.forEach(s -> taskIds.add(s.getFileName().toString()));
      }
    } catch (IOException e) {
      // no task ever started
    }
    subscriber.close();
    cluster.close();
    etcd.close();
    List<String> left = new ArrayList<>();
    for (String taskId : taskIds) {
      for (String container : containers(taskId)) {
        left.add(container);
        Podman.run("rm", "--force", "--time", "0", container);
      }
    }
    assertThat(left).as("containers left after the dev cluster closed").isEmpty();
  }
}
