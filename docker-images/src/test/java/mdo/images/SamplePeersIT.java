package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample image as the demo runs it: a config.yaml service with {@code image:}, launched and scaled with the real
 * launcher and updater against the dev cluster, which runs each instance as a container. At start each container asks
 * guestutils (the copied layer) for its port and its peers; the running members are told, by a signed callback from
 * the subscriber, when another joins.
 */
class SamplePeersIT {
  @TempDir Path dir;
  ClusterStack stack;
  Path config;

  @BeforeAll
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  static void build() {
    Images.built();
  }

  @BeforeEach
  void start() {
    stack = new ClusterStack(dir, 38200);
    config = dir.resolve("config.yaml");
    ClusterStack.write(config, """
        environment: %s
        marathon:
          url: %s
        etcd:
          endpoints: [%s]
        subscriber:
          host: 127.0.0.1
          port: %d
          token: %s
          registration-secret: %s
          callback-allow: [127.0.0.0/8]
        services:
          peers:
            image: %s
            network: host
            ports:
              http: 0
            instances: 1
            cpus: 0.1
            mem: 128
            health:
              protocol: http
              port: http
              path: /health
              grace: 60s
              interval: 1s
              timeout: 2s
        """.formatted(stack.env, stack.cluster.url(), stack.etcd.endpoint(), stack.subscriber.port(), ClusterStack.TOKEN,
        ClusterStack.REGISTRATION_SECRET, Images.get("sample").ref()));
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void containersFindTheirPeerThroughGuestutilsAndAreToldWhenAThirdJoins() {
    String appId = "/" + stack.env + "/peers";
    Cli.succeeds(mdo.launcher.Main::run, "--config", config.toString(), "--timeout", "90s", "peers");
    Map<String, String> one = awaitMembers(1);

    // The second instance starts knowing the first: its seeds came from `guestutils node-list` in its entrypoint.
    Cli.succeeds(mdo.updater.Main::run, "--config", config.toString(), "--timeout", "90s", "peers", "2");
    Map<String, String> two = awaitMembers(2);
    String first = one.values().iterator().next();
    String second = two.values().stream().filter(a -> !a.equals(first)).findFirst().orElseThrow();
    JsonNode secondStatus = stack.get("http://" + second + "/");
    assertThat(secondStatus.path("seedsAtStart").toString()).as("seeds of the second instance").contains(first);
    String secondTask = two.entrySet().stream().filter(e -> e.getValue().equals(second)).findFirst().orElseThrow().getKey();
    assertThat(stack.stdout(secondTask)).contains("sample entrypoint: peers binds port " + second.split(":")[1])
        .contains("seeds: " + first);

    // Each instance is a container the dev cluster started, labelled with its task.
    two.keySet().forEach(taskId -> assertThat(ClusterStack.containers(taskId)).as("container of %s", taskId).hasSize(1));

    // A third joins: the first two receive the subscriber's signed notification listing three members.
    Cli.succeeds(mdo.updater.Main::run, "--config", config.toString(), "--timeout", "90s", "peers", "3");
    awaitMembers(3);
    for (String address : two.values()) {
      await("a signed notification of 3 members at " + address).atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> stack.get("http://" + address + "/").path("membersNotified").asInt() == 3);
    }
    for (String taskId : two.keySet()) {
      assertThat(stack.stdout(taskId)).as("log of %s", taskId).contains("membership changed: 3 members")
          .doesNotContain("refused");
    }

    // Deleted, every container stops (SIGTERM) well within its grace period.
    Set<String> tasks = awaitMembers(3).keySet();
    stack.delete(appId);
    await("every container to stop").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200))
        .until(() -> tasks.stream().allMatch(t -> ClusterStack.containers(t).isEmpty()));
  }

  /** Waits until the registry and the dev cluster agree on {@code n} running, ready members; task id -> host:port. */
  private Map<String, String> awaitMembers(int n) {
    String appId = "/" + stack.env + "/peers";
    return await(n + " ready members").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> {
      Map<String, String> members = new TreeMap<>();
      for (JsonNode r : stack.records("peers")) {
        if (r.path("ready").asBoolean()) {
          members.put(r.path("taskId").asText(), r.path("host").asText() + ":" + r.path("ports").path("http").path("host").asInt());
        }
      }
      Set<String> running = new java.util.TreeSet<>();
      stack.tasks(appId).stream().filter(t -> t.path("state").asText().equals("TASK_RUNNING"))
          .forEach(t -> running.add(t.path("id").asText()));
      return members.size() == n && members.keySet().equals(running) ? members : null;
    }, m -> m != null);
  }
}
