package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import mdo.registry.InstanceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What users meet when things go wrong: a crashed instance, a config with a mistake. */
class FailuresTest {
  Stack stack;

  @BeforeEach
  void start() throws Exception {
    stack = new Stack();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  void killedInstanceIsReplacedAndItsReplacementTakesOverTheOrdinal() {
    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "--timeout", "60s", "peers");
    assertThat(launched.code()).as(launched.toString()).isZero();
    Map<String, InstanceRecord> before = stack.awaitRegistry(2);
    InstanceRecord victim = before.values().stream().filter(r -> r.ordinal() == 0).findFirst().orElseThrow();
    InstanceRecord survivor = before.values().stream().filter(r -> r.ordinal() == 1).findFirst().orElseThrow();

    ProcessHandle process = stack.taskProcess(victim.taskId());
    assertThat(process.info().commandLine().orElse("")).as("the task's process").contains("mdo.sample.PeerService");
    process.destroyForcibly(); // SIGKILL, as the OOM killer would

    await("the killed task's record to be replaced").atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> !stack.registry().containsKey(victim.taskId()) && stack.registry().size() == 2);
    Map<String, InstanceRecord> after = stack.awaitRegistry(2);
    assertThat(after).doesNotContainKey(victim.taskId());
    assertThat(after.get(survivor.taskId())).as("the survivor keeps its record").isNotNull();
    assertThat(after.get(survivor.taskId()).ordinal()).isEqualTo(1);
    InstanceRecord replacement = after.values().stream().filter(r -> !r.taskId().equals(survivor.taskId()))
        .findFirst().orElseThrow();
    assertThat(replacement.ordinal()).as("the replacement reuses the ordinal").isZero();
    assertThat(stack.sampleStatus(Stack.address(replacement)).path("task").asText()).isEqualTo(replacement.taskId());
    assertThat(process.isAlive()).isFalse();
    await("the survivor to be told about the replacement").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200)).until(() -> {
          var status = stack.sampleStatus(Stack.address(survivor));
          var members = new java.util.TreeSet<String>();
          status.path("lastNotification").path("members").forEach(m -> members.add(m.path("taskId").asText()));
          return members.equals(after.keySet());
        });
    assertThat(stack.refusedNotifications()).as("notifications the samples refused").isEmpty();

    Stack.Result nodes = stack.guestutils("node-list", "peers", "--ports", "http");
    assertThat(nodes.code()).as(nodes.toString()).isZero();
    assertThat(nodes.out().lines().toList()).as(nodes.toString())
        .containsExactly(Stack.address(replacement), Stack.address(survivor));
  }

  @Test
  void badConfigExitsWith2AndSendsNothingToMarathon() {
    Stack.write(stack.config, """
        environment: %s
        marathon:
          url: %s
        etcd:
          endpoints: [%s]
        services:
          peers:
            cmd: exec %s/bin/sample-peer
            network: host
            ports:
              http: 0
            instances: -1
            cpus: 0.1
        """.formatted(stack.env, stack.cluster.url(), stack.etcdServer.endpoint(), Stack.REPO));

    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "peers");
    assertThat(launched.code()).as(launched.toString()).isEqualTo(2);
    assertThat(launched.err()).as(launched.toString()).contains("instances").contains("must be 0 or more, got -1");
    assertThat(launched.out()).isEmpty();

    Stack.Result unknown = stack.launcher("--config", stack.config.toString(), "cassandra");
    assertThat(unknown.code()).as(unknown.toString()).isEqualTo(2);

    Stack.Result scaled = stack.updater("--config", stack.config.toString(), "peers", "3");
    assertThat(scaled.code()).as(scaled.toString()).isEqualTo(2);

    assertThat(stack.marathonAppIds()).as("apps the dev cluster received").isEmpty();
    assertThat(stack.cluster.liveTasks()).isZero();
  }
}
