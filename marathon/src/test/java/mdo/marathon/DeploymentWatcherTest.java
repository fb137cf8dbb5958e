package mdo.marathon;

import static mdo.testkit.MarathonResponses.appResponse;
import static mdo.testkit.MarathonResponses.deployments;
import static mdo.testkit.MarathonResponses.payload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mdo.cluster.DeploymentListener;
import mdo.cluster.DeploymentOutcome;
import com.fasterxml.jackson.databind.node.ArrayNode;
import mdo.config.MarathonSettings;
import mdo.testkit.MarathonResponses;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeploymentWatcherTest {
  static final String APP = "/default/zk";
  static final String DEPLOYMENT = "97c136bf-5a28-4821-9d94-480d9fbb01c8";
  static final ObjectNode DEFINITION = AppReadBackTest.app(AppReadBackTest.ZOOKEEPER, "1.5").put("instances", 2);

  MockWebServer server = new MockWebServer();
  MarathonClient client;
  List<String> progress = new ArrayList<>();
  List<String> retries = new ArrayList<>();
  DeploymentListener listener = new DeploymentListener() {
    @Override
    public void progress(Progress p) {
      progress.add(p.counts() + (p.active() ? "" : " done"));
    }

    @Override
    public void retrying(String problem) {
      retries.add(problem);
    }
  };

  @BeforeEach
  void start() throws Exception {
    server.start();
    client = new MarathonClient(MarathonSettings.of(server.url("/").toString()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  DeploymentOutcome await(Duration timeout) throws InterruptedException {
    return new DeploymentWatcher(client, Duration.ofMillis(10)).await(APP, DEPLOYMENT, null, 2, timeout, listener);
  }

  @Test
  void succeedsWhenTheDeploymentIsGoneAndAllInstancesAreHealthy() throws Exception {
    server.enqueue(deployments(APP, DEPLOYMENT));
    server.enqueue(appResponse(DEFINITION, 1, 0, DEPLOYMENT));
    server.enqueue(deployments(APP, DEPLOYMENT));
    server.enqueue(appResponse(DEFINITION, 2, 1, DEPLOYMENT));
    server.enqueue(deployments(APP));
    server.enqueue(appResponse(DEFINITION, 2, 2));

    DeploymentOutcome outcome = await(Duration.ofSeconds(10));

    assertThat(outcome.success()).isTrue();
    assertThat(outcome.message()).isEqualTo("deployment finished, 2/2 running, 2/2 healthy");
    assertThat(progress).containsExactly(
        "1/2 running, 0/2 healthy", "2/2 running, 1/2 healthy", "2/2 running, 2/2 healthy done");
    assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/deployments");
    assertThat(server.takeRequest().getTarget()).isEqualTo("/v2/apps/default/zk");
    assertThat(server.getRequestCount()).isEqualTo(6);
  }

  @Test
  void failsWithMarathonsLastTaskFailureWhenTheDeploymentEndsShortOfInstances() throws Exception {
    server.enqueue(deployments(APP, DEPLOYMENT));
    server.enqueue(appResponse(DEFINITION, 0, 0, DEPLOYMENT));
    server.enqueue(deployments(APP));
    server.enqueue(appResponse(DEFINITION, 1, 1));
    server.enqueue(deployments(APP));
    server.enqueue(appResponse(DEFINITION, 1, 1));
    server.enqueue(payload(200, "app_tasks_response.json"));

    DeploymentOutcome outcome = await(Duration.ofSeconds(10));

    assertThat(outcome.success()).isFalse();
    assertThat(outcome.message()).isEqualTo("""
        deployment 97c136bf-5a28-4821-9d94-480d9fbb01c8 of /default/zk ended, but only 1/2 running, 1/2 healthy.
        Last task failure: TASK_FAILED on 10.141.141.10 at 2014-09-12T23:23:41.711Z: Abnormal executor termination
        Tasks: {TASK_STAGING=1}""");
    assertThat(server.getRequestCount()).isEqualTo(7);
  }

  @Test
  void timesOutSayingWhatRunsOfWhatIsWanted() throws Exception {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String target = request.getTarget();
        if (target.equals("/v2/deployments")) return deployments(APP, DEPLOYMENT);
        if (target.equals("/v2/apps/default/zk/tasks")) return payload(200, "app_tasks_response.json");
        return appResponse(DEFINITION, 1, 0, DEPLOYMENT);
      }
    });

    long start = System.nanoTime();
    DeploymentOutcome outcome = await(Duration.ofMillis(300));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(outcome.success()).isFalse();
    assertThat(outcome.message()).startsWith("timed out after 300ms waiting for /default/zk: 1/2 running, 0/2 healthy."
        + "\nLast task failure: TASK_FAILED on 10.141.141.10 at 2014-09-12T23:23:41.711Z: Abnormal executor termination"
        + "\nTasks: {TASK_STAGING=1}");
    assertThat(progress).isNotEmpty().allMatch(p -> p.equals("1/2 running, 0/2 healthy"));
  }

  @Test
  void keepsPollingThroughAMarathonThatIsBrieflyUnavailable() throws Exception {
    server.enqueue(new MockResponse.Builder().code(503).body("Could not determine the current leader").build());
    server.enqueue(deployments(APP));
    server.enqueue(appResponse(DEFINITION, 2, 2));

    DeploymentOutcome outcome = await(Duration.ofSeconds(10));

    assertThat(outcome.success()).isTrue();
    assertThat(retries).hasSize(1).first().asString().contains("answered 503");
  }

  /** The app as Marathon answers it at {@code version}, running one task per entry of {@code taskVersions}. */
  static MockResponse appAt(String version, String configVersion, int wanted, String... taskVersions) {
    ObjectNode app = MarathonResponses.app(DEFINITION.deepCopy().put("instances", wanted), taskVersions.length,
        taskVersions.length);
    app.put("version", version);
    app.putObject("versionInfo").put("lastScalingAt", version).put("lastConfigChangeAt", configVersion);
    ArrayNode tasks = app.putArray("tasks");
    for (int i = 0; i < taskVersions.length; i++) {
      ObjectNode t = Fixtures.task(APP, "default_zk." + Fixtures.uuid(i), "10.0.0." + i, List.of(31000 + i),
          taskVersions[i], "TASK_RUNNING");
      t.putArray("healthCheckResults").addObject().put("alive", true).put("consecutiveFailures", 0)
          .put("instanceId", "default_zk.marathon-" + Fixtures.uuid(i));
      tasks.add(t);
    }
    ObjectNode body = Fixtures.JSON.createObjectNode();
    body.set("app", app);
    return MarathonResponses.json(200, body.toString());
  }

  static final String V1 = "2026-03-01T10:00:00.000Z";
  static final String V2 = "2026-03-01T10:05:00.000Z";

  /**
   * {@code --force}: Marathon has answered the PUT but lists the new deployment only once it has cancelled the one it
   * overrides. Meanwhile the old instances meet the counts; that is not success.
   */
  @Test
  void aForcedDeploymentNotListedYetIsWaitedForAlthoughTheOldInstancesMeetTheCounts() throws Exception {
    String overridden = "0c41b0e8-8d6a-4e0c-9d5c-5a1c4b2b0d11";
    server.enqueue(deployments(APP, overridden));
    server.enqueue(appAt(V2, V2, 2, V1, V1));
    server.enqueue(deployments(APP, DEPLOYMENT));
    server.enqueue(appAt(V2, V2, 2, V1, V2));
    server.enqueue(deployments(APP));
    server.enqueue(appAt(V2, V2, 2, V2, V2));

    DeploymentOutcome outcome = new DeploymentWatcher(client, Duration.ofMillis(10))
        .await(APP, DEPLOYMENT, V2, 2, Duration.ofSeconds(10), listener);

    assertThat(outcome.success()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(6);
    assertThat(progress).containsExactly("2/2 running, 2/2 healthy done", "2/2 running, 2/2 healthy",
        "2/2 running, 2/2 healthy done");
  }

  /** A deployment that started and finished between the change and the first poll is recognised by its effect. */
  @Test
  void aDeploymentOverBeforeTheFirstPollSucceedsByItsEffect() throws Exception {
    server.enqueue(deployments(APP));
    server.enqueue(appAt(V2, V2, 2, V2, V2));

    DeploymentOutcome outcome = new DeploymentWatcher(client, Duration.ofMillis(10))
        .await(APP, DEPLOYMENT, V2, 2, Duration.ofSeconds(10), listener);

    assertThat(outcome.success()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  /**
   * A forced scale from 3 to 2 not started yet: 3 run, at least the 2 wanted, all of the current configuration (a scale
   * keeps it). Only exactly 2 is the scale's effect.
   */
  @Test
  void aForcedScaleDownNotStartedYetIsNotTakenForDone() throws Exception {
    server.enqueue(deployments(APP));
    server.enqueue(appAt(V2, V1, 2, V1, V1, V1));
    server.enqueue(deployments(APP));
    server.enqueue(appAt(V2, V1, 2, V1, V1));

    DeploymentOutcome outcome = new DeploymentWatcher(client, Duration.ofMillis(10))
        .await(APP, DEPLOYMENT, V2, 2, Duration.ofSeconds(10), listener);

    assertThat(outcome.success()).isTrue();
    assertThat(server.getRequestCount()).isEqualTo(4);
  }

  @Test
  void scalingToZeroSucceedsOnceNothingRuns() throws Exception {
    server.enqueue(deployments(APP));
    server.enqueue(appResponse(DEFINITION.deepCopy().put("instances", 0), 0, 0));

    DeploymentOutcome outcome =
        new DeploymentWatcher(client, Duration.ofMillis(10))
            .await(APP, DEPLOYMENT, null, 0, Duration.ofSeconds(5), listener);

    assertThat(outcome.success()).isTrue();
  }
}
