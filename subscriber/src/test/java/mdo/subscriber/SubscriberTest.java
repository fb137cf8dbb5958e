package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mdo.config.SubscriberSettings;
import mdo.registry.InstanceRecord;
import mdo.testkit.EtcdServer;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SubscriberTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  @Test
  void startRegistersWhatMarathonRunsAndTheStreamKeepsItCurrent() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);
    h.marathon.awaitStreams(1, Duration.ofSeconds(5));
    // the stream opens before the first resync reads Marathon (the /health probe's GET /v2/leader may come first)
    List<String> requests = h.marathon.requests();
    int stream = indexOf(requests, "GET /v2/events?event_type=");
    assertThat(stream).isNotNegative().isLessThan(indexOf(requests, "GET /v2/tasks"));

    h.marathon.putTask(h.task(3));
    h.marathon.emit(h.status(3, "TASK_RUNNING", 10));
    h.awaitRegistry(r -> r.containsKey(h.taskId(3)));
    InstanceRecord third = h.registry().get(h.taskId(3));
    assertThat(third.ordinal()).isEqualTo(2);
    assertThat(third.ports().get("web").host()).isEqualTo(31003);

    h.marathon.emit(h.status(3, "TASK_KILLING", 11));
    h.awaitRegistry(r -> r.get(h.taskId(3)).draining());

    ObjectNode kill = Payloads.marathonJson("events/unhealthy_instance_kill_event.json");
    kill.put("appId", h.appId).put("taskId", h.taskId(2)).put("instanceId", h.taskId(2).replace("._app.1", ""))
        .put("timestamp", "2026-01-01T00:00:12.000Z");
    h.marathon.emit(kill.toString());
    h.awaitRegistry(r -> r.get(h.taskId(2)).draining() && Boolean.FALSE.equals(r.get(h.taskId(2)).healthy()));

    h.marathon.emit(h.status(1, "TASK_UNREACHABLE", 13));
    h.awaitRegistry(r -> Boolean.FALSE.equals(r.get(h.taskId(1)).healthy()));
    assertThat(h.registry()).containsKey(h.taskId(1));

    ObjectNode health = Payloads.marathonJson("events/instance_health_changed_event.json");
    health.put("runSpecId", h.appId).put("instanceId", h.taskId(1).replace("._app.1", ""))
        .put("timestamp", "2026-01-01T00:00:14.000Z");
    h.marathon.emit(health.toString());
    h.awaitRegistry(r -> Boolean.TRUE.equals(r.get(h.taskId(1)).healthy()));

    h.marathon.removeTask(h.taskId(3));
    h.marathon.emit(h.status(3, "TASK_FINISHED", 15));
    h.awaitRegistry(r -> !r.containsKey(h.taskId(3)));

    ObjectNode gone = Payloads.marathonJson("events/unknown_instance_terminated_event.json");
    gone.put("runSpecId", h.appId).put("instanceId", h.taskId(2).replace("._app.1", ""))
        .put("condition", "Killed").put("timestamp", "2026-01-01T00:00:16.000Z");
    h.marathon.emit(gone.toString());
    h.awaitRegistry(r -> !r.containsKey(h.taskId(2)));

    assertThat(h.metric("mdo_subscriber_events_total", "status_update_event", "outcome=\"written\"")).isGreaterThanOrEqualTo(3);
    assertThat(h.metric("mdo_subscriber_event_lag_seconds_count")).isGreaterThan(0);
  }

  @Test
  void appChangeEventsCauseARefetchAndABurstCausesOnlyOne() {
    h.marathon.putTask(h.task(1));
    // a coalescing window wide enough that a loaded machine still emits the whole burst inside it
    h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE,
        Harness.fastTuning(Duration.ofMillis(500))));
    h.awaitRegistry(r -> r.size() == 1);
    long before = h.marathon.count(l -> l.startsWith("GET /v2/apps/" + h.env + "/web/tasks"));
    h.marathon.putTask(h.task(2)).putTask(h.task(3)); // no status events: only deployment hints
    ObjectNode step = Payloads.marathonJson("events/deployment_step_success.json");
    ((ObjectNode) step.path("plan").path("steps").get(0)).put("app", h.appId);
    ((ObjectNode) step.path("currentStep").path("actions").get(0)).put("app", h.appId);
    for (int i = 0; i < 40; i++) {
      step.put("timestamp", String.format("2026-01-01T00:01:%02d.000Z", i));
      h.marathon.emit(step.toString());
    }
    ObjectNode post = Payloads.marathonJson("events/api_post_event.json");
    ((ObjectNode) post.path("appDefinition")).put("id", h.appId);
    h.marathon.emit(post.toString());
    h.awaitRegistry(r -> r.size() == 3);
    long refetches = h.marathon.count(l -> l.startsWith("GET /v2/apps/" + h.env + "/web/tasks")) - before;
    assertThat(refetches).isBetween(1L, 3L);
    assertThat(h.metric("mdo_subscriber_events_total", "deployment_step_success", "outcome=\"refresh\"")).isEqualTo(40);
  }

  @Test
  void malformedAndUnknownEventsAreCountedAndTheStreamGoesOn() {
    h.start();
    h.marathon.awaitStreams(1, Duration.ofSeconds(5));
    h.marathon.emitRaw("event: status_update_event\r\ndata: {not json\r\n\r\n");
    h.marathon.emit("{\"eventType\":\"status_update_event\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
    h.marathon.emit("{\"eventType\":\"shiny_new_event\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}");
    h.marathon.putTask(h.task(1));
    h.marathon.emit(h.status(1, "TASK_RUNNING", 5));
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    assertThat(h.metric("mdo_subscriber_events_total", "outcome=\"malformed\"")).isEqualTo(2);
    assertThat(h.metric("mdo_subscriber_events_total", "type=\"other\"", "outcome=\"ignored\"")).as("a type the"
        + " registry does not use is no label of its own").isEqualTo(1);
    assertThat(h.get("/metrics").body()).doesNotContain("shiny_new_event");
  }

  @Test
  void duplicateAndReorderedEventsNeverRegressTheRegistry() {
    h.start();
    h.marathon.awaitStreams(1, Duration.ofSeconds(5));
    h.marathon.putTask(h.task(1));
    String running = h.status(1, "TASK_RUNNING", 20);
    h.marathon.emit(running);
    h.marathon.emit(running);
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    h.marathon.emit(h.status(1, "TASK_STAGING", 19)); // older than what is stored
    h.marathon.removeTask(h.taskId(1));
    h.marathon.emit(h.status(1, "TASK_KILLED", 22));
    h.marathon.emit(h.status(1, "TASK_RUNNING", 21)); // a late copy of a state before the kill
    h.marathon.emit(running);
    h.marathon.putTask(h.task(2));
    h.marathon.emit(h.status(2, "TASK_RUNNING", 23)); // a marker: everything before it has been applied
    h.awaitRegistry(r -> r.containsKey(h.taskId(2)));
    assertThat(h.registry()).containsOnlyKeys(h.taskId(2));
    // within one batch events are applied in timestamp order, so an old copy may count as unchanged instead of stale
    assertThat(h.metric("mdo_subscriber_events_total", "outcome=\"stale\"")
        + h.metric("mdo_subscriber_events_total", "outcome=\"unchanged\"")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void droppedStreamReconnectsAndTheResyncHealsWhatWasMissed() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);
    h.marathon.awaitStreams(1, Duration.ofSeconds(5));
    h.marathon.stallStreams(true); // the next connection stays silent until the idle timeout would fire
    h.marathon.dropStreams();
    // while disconnected: task 2 ends and task 3 starts; no event reaches the subscriber
    h.marathon.removeTask(h.taskId(2));
    h.marathon.putTask(h.task(3));
    h.marathon.stallStreams(false);
    h.awaitRegistry(r -> r.keySet().equals(java.util.Set.of(h.taskId(1), h.taskId(3))));
    assertThat(h.registry().get(h.taskId(3)).ordinal()).isEqualTo(1); // took the ordinal task 2 freed
    await().atMost(Duration.ofSeconds(5)).until(() -> h.metric("mdo_subscriber_stream_reconnects_total") >= 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);
  }

  @Test
  void aStandbyRedirectsTheStreamToTheLeader() {
    MarathonSimulation leader = new MarathonSimulation().start();
    try {
      leader.putApp(h.app("web", Harness.V1));
      h.marathon.redirectEventsTo(leader.url()); // h.marathon is the standby; REST is served by both
      h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE, Harness.fastTuning()));
      leader.awaitStreams(1, Duration.ofSeconds(5));
      h.marathon.putTask(h.task(1));
      leader.putTask(h.task(1));
      leader.emit(h.status(1, "TASK_RUNNING", 3));
      h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
      assertThat(leader.recorded().get(0).getHeaders().get("Accept")).isEqualTo("text/event-stream");
    } finally {
      h.stopSubscriber();
      leader.close();
    }
  }

  @Test
  void aRestartedSubscriberKeepsTheRegistryAndItsOrdinals() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2)).putTask(h.task(3));
    h.start();
    h.awaitRegistry(r -> r.size() == 3);
    Map<String, InstanceRecord> before = h.registry();
    h.stopSubscriber(); // killed: the registry stays as it was
    assertThat(h.registry()).isEqualTo(before);
    h.marathon.removeTask(h.taskId(2)); // while nobody listens
    h.marathon.putTask(h.task(4));
    h.start();
    h.awaitRegistry(r -> r.keySet().equals(java.util.Set.of(h.taskId(1), h.taskId(3), h.taskId(4))));
    Map<String, InstanceRecord> after = h.registry();
    assertThat(after.get(h.taskId(1)).ordinal()).isEqualTo(before.get(h.taskId(1)).ordinal());
    assertThat(after.get(h.taskId(3)).ordinal()).isEqualTo(before.get(h.taskId(3)).ordinal());
    assertThat(after.get(h.taskId(4)).ordinal()).isEqualTo(before.get(h.taskId(2)).ordinal());
    assertThat(after.values().stream().map(InstanceRecord::ordinal).sorted().toList()).containsExactly(0, 1, 2);
  }

  @Test
  void aListingThatLiesKeepsTheRecordsSaysWhyInHealthAndRetriesUntilMarathonConfirms() {
    for (int i = 1; i <= 4; i++) h.marathon.putTask(h.task(i));
    h.start();
    h.awaitRegistry(r -> r.size() == 4);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);
    h.marathon.omitFromListing(h.appId); // Marathon suddenly lists nothing, but still has the app when asked for it
    assertThat(h.post("/v1/resync", "", Harness.TOKEN).code()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 503);
    Harness.Reply health = h.get("/health", Harness.TOKEN); // the admin's view: with the reasons
    assertThat(health.json().path("problems").toString()).contains("kept 4 records of apps missing from Marathon's listing")
        .contains(h.appId).contains("Marathon has it when asked for it alone");
    assertThat(health.json().path("resync").path("refused").get(0).path("records").asInt()).isEqualTo(4);
    assertThat(h.registry()).hasSize(4);
    h.marathon.removeApp(h.appId); // now it is really gone: the retry the refusal scheduled confirms it and deletes
    h.awaitRegistry(Map::isEmpty);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);
  }

  @Test
  void failingResyncsAreAWarningFirstAnd503OnceTheyHaveFailedLongerThanAllowed() {
    h.marathon.putTask(h.task(1));
    h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE, Harness.fastTuning(),
        Duration.ofSeconds(2)));
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);
    h.marathon.failRest(500); // Marathon answers, with errors: it is reachable, resyncs fail
    assertThat(h.post("/v1/resync", "", Harness.TOKEN).code()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(5)).until(() -> !h.get("/health").json().path("resync").path("failingSince").isNull());
    Harness.Reply early = h.get("/health", Harness.TOKEN);
    String since = early.json().path("resync").path("failingSince").asText();
    if (early.code() == 200) { // unless this machine took 2 s to get here
      assertThat(early.json().path("warnings").toString()).contains("resyncs failing since " + since)
          .contains("unhealthy after 2s");
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").code() == 503);
    assertThat(h.get("/health", Harness.TOKEN).json().path("problems").toString())
        .contains("resyncs failing since " + since).contains("HTTP 500");
    h.marathon.failRest(0);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").code() == 200);
    assertThat(h.get("/health").json().path("resync").path("failingSince").isNull()).isTrue();
  }

  @Test
  void resyncEndpointRequiresTheBearerToken() {
    h.start();
    assertThat(h.post("/v1/resync", "", null).code()).isEqualTo(401);
    assertThat(h.post("/v1/resync", "", "wrong").code()).isEqualTo(401);
    assertThat(h.post("/v1/resync", "", Harness.TOKEN).code()).isEqualTo(202);
  }

  @Test
  void servicesAreServedAsJson() {
    h.marathon.putTask(h.task(1)).putTask(h.task(2));
    h.start();
    h.awaitRegistry(r -> r.size() == 2);
    Harness.Reply all = h.get("/v1/services");
    assertThat(all.code()).isEqualTo(200);
    assertThat(all.json().path("environment").asText()).isEqualTo(h.env);
    assertThat(all.json().path("services").path("web").path("instances")).hasSize(2);
    Harness.Reply one = h.get("/v1/services/web");
    assertThat(one.json().path("instances").get(0).path("ports").path("web").path("host").asInt()).isEqualTo(31001);
    assertThat(one.json().path("instances").get(0).path("ready").asBoolean()).isTrue();
    assertThat(h.get("/v1/services/nope").code()).isEqualTo(404);
  }

  @Test
  void metricsArePrometheusText() {
    h.start();
    String metrics = h.get("/metrics").body();
    assertThat(metrics).contains("mdo_subscriber_stream_connected", "mdo_subscriber_resync_duration_seconds",
        "mdo_subscriber_resync_diff_size", "mdo_subscriber_event_lag_seconds", "mdo_subscriber_queue_depth",
        "mdo_subscriber_registry_bad_values{kind=\"ordinal\"}", "mdo_subscriber_clock_ahead_total");
  }

  @Test
  void queueOverflowDropsEventsAndResyncs() {
    SubscriberConfig.Tuning tiny = new SubscriberConfig.Tuning(Duration.ofMillis(200), Duration.ofMillis(50), 3, 1,
        Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofMillis(300));
    h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE, tiny));
    h.marathon.awaitStreams(1, Duration.ofSeconds(5));
    StringBuilder burst = new StringBuilder();
    for (int i = 1; i <= 60; i++) {
      h.marathon.putTask(h.task(i));
      burst.append("event: status_update_event\r\ndata: ").append(h.status(i, "TASK_RUNNING", 30)).append("\r\n\r\n");
    }
    h.marathon.emitRaw(burst.toString());
    h.awaitRegistry(r -> r.size() == 60);
    assertThat(h.metric("mdo_subscriber_queue_overflows_total")).isGreaterThanOrEqualTo(1);
  }

  private static int indexOf(List<String> requestLines, String prefix) {
    for (int i = 0; i < requestLines.size(); i++) if (requestLines.get(i).startsWith(prefix)) return i;
    return -1;
  }
}
