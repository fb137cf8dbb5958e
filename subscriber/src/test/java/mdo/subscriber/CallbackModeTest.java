package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import mdo.config.SubscriberSettings;
import mdo.testkit.EtcdServer;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Marathon < 1.5 HTTP callbacks: subscription lifecycle and POST /callback. */
class CallbackModeTest {
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void startInCallbackMode() {
    h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.CALLBACK, Harness.fastTuning()));
  }

  @Test
  void registersItsCallbackAtStartAndRemovesItOnCleanShutdown() {
    startInCallbackMode();
    String expected = h.subscriber.callbackUrl();
    assertThat(expected).matches(java.util.regex.Pattern.quote(h.base()) + "/callback/[0-9a-f]{48}");
    await().atMost(Duration.ofSeconds(5)).until(() -> h.marathon.callbackUrls().contains(expected));
    // the start and the health probe both check the subscription: once it is there, neither registers it again
    await().atMost(Duration.ofSeconds(10)).until(() -> h.marathon.count(l -> l.startsWith("GET /v2/eventSubscriptions")) >= 2);
    assertThat(h.marathon.count(l -> l.startsWith("POST /v2/eventSubscriptions"))).isEqualTo(1);
    assertThat(h.marathon.openStreams()).isZero();
    h.stopSubscriber();
    assertThat(h.marathon.callbackUrls()).isEmpty();
  }

  @Test
  void reRegistersWhenMarathonForgetsTheSubscription() {
    startInCallbackMode();
    String expected = h.subscriber.callbackUrl();
    await().atMost(Duration.ofSeconds(15)).until(() -> h.marathon.callbackUrls().contains(expected));
    new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder()
        .url(h.marathon.url() + "/v2/eventSubscriptions?callbackUrl=" + java.net.URLEncoder.encode(expected,
            java.nio.charset.StandardCharsets.UTF_8)).delete().build()).enqueue(new okhttp3.Callback() {
              @Override public void onFailure(okhttp3.Call c, java.io.IOException e) {}
              @Override public void onResponse(okhttp3.Call c, okhttp3.Response r) { r.close(); }
            });
    await().atMost(Duration.ofSeconds(15)).until(() -> h.marathon.count(l -> l.startsWith("DELETE /v2/eventSubscriptions")) == 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> h.marathon.count(l -> l.startsWith("POST /v2/eventSubscriptions")) == 2
        && h.marathon.callbackUrls().contains(expected));
  }

  @Test
  void callbackEventsTriggerARefetchAndMalformedOnesGet400() {
    startInCallbackMode();
    h.marathon.putTask(h.task(1));
    assertThat(h.post(h.callbackPath(), h.status(1, "TASK_RUNNING", 5), null).code()).isEqualTo(200);
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    assertThat(h.post(h.callbackPath(), "{\"eventType\":", null).code()).isEqualTo(400);
    assertThat(h.post(h.callbackPath(), "{\"timestamp\":\"2026-01-01T00:00:00.000Z\"}", null).code()).isEqualTo(400);
    assertThat(h.post(h.callbackPath(), Payloads.marathon("events/subscribe_event.json"), null).code()).isEqualTo(200);
    assertThat(h.metric("mdo_subscriber_events_total", "outcome=\"malformed\"")).isEqualTo(2);
  }

  @Test
  void aForgedCallbackCannotWriteWhatMarathonDoesNotSay() {
    startInCallbackMode();
    // the event names a task Marathon does not have: only Marathon's listing is written
    assertThat(h.post(h.callbackPath(), h.status(9, "TASK_RUNNING", 5), null).code()).isEqualTo(200);
    h.marathon.putTask(h.task(1));
    assertThat(h.post(h.callbackPath(), h.status(1, "TASK_RUNNING", 6), null).code()).isEqualTo(200);
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    assertThat(h.registry()).doesNotContainKey(h.taskId(9));
  }

  @Test
  void theCallbackRouteExistsOnlyInCallbackModeAndOnlyUnderItsSecret() {
    h.start();
    assertThat(h.post("/callback", h.status(1, "TASK_RUNNING", 5), null).code()).as("SSE mode").isEqualTo(404);
    h.stopSubscriber();
    startInCallbackMode();
    assertThat(h.post("/callback", h.status(1, "TASK_RUNNING", 5), null).code()).isEqualTo(404);
    assertThat(h.post("/callback/not-the-secret", h.status(1, "TASK_RUNNING", 5), null).code()).isEqualTo(404);
    assertThat(h.post(h.callbackPath(), h.status(1, "TASK_RUNNING", 5), null).code()).isEqualTo(200);
  }

  @Test
  void subscriptionsLeftByEarlierRunsAreRemovedAndOthersKept() throws Exception {
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    String base = "http://127.0.0.1:" + port;
    String otherSubscriber = "http://127.0.0.1:" + (port == 65535 ? port - 1 : port + 1) + "/callback/0ther";
    for (String left : List.of(base + "/callback/0ld5ecret", base + "/callback", otherSubscriber)) {
      new okhttp3.OkHttpClient().newCall(new okhttp3.Request.Builder().url(h.marathon.url()
          + "/v2/eventSubscriptions?callbackUrl=" + java.net.URLEncoder.encode(left, java.nio.charset.StandardCharsets.UTF_8))
          .post(okhttp3.RequestBody.create(new byte[0])).build()).execute().close();
    }
    SubscriberConfig config = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.CALLBACK,
        Harness.fastTuning());
    SubscriberSettings s = config.subscriber();
    h.start(new SubscriberConfig(config.etcd(), config.marathon(), new SubscriberSettings(s.host(), port, null, s.token(),
        s.events(), s.resyncInterval(), s.resyncUnhealthyAfter(), s.streamIdleTimeout(), s.callbackAllow()),
        config.environment(), config.tuning()));
    String current = h.subscriber.callbackUrl();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.marathon.callbackUrls().equals(java.util.Set.of(current,
        otherSubscriber)));
  }

  @Test
  void callbacksFromOutsideTheConfiguredSourcesAreRefused() {
    SubscriberConfig config = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.CALLBACK,
        Harness.fastTuning());
    h.start(new SubscriberConfig(config.etcd(), config.marathon(),
        config.subscriber().withCallbackSources(List.of("10.9.9.0/24")), config.environment(), config.tuning()));
    h.marathon.putTask(h.task(1));
    Harness.Reply refused = h.post(h.callbackPath(), h.status(1, "TASK_RUNNING", 5), null);
    assertThat(refused.code()).isEqualTo(403);
    assertThat(refused.json().path("error").asText()).isEqualTo("callbacks are taken only from subscriber.callback-sources");
  }

  @Test
  void onlyAppsMarathonListedAreFetchedAndAFloodCostsOneResync() {
    startInCallbackMode();
    await().atMost(Duration.ofSeconds(10)).until(() -> h.metric("mdo_subscriber_resyncs_total") >= 1);
    com.fasterxml.jackson.databind.node.ObjectNode event = Payloads.marathonJson("events/deployment_success.json");
    com.fasterxml.jackson.databind.node.ArrayNode actions = event.putObject("plan").putArray("steps").addObject()
        .putArray("actions");
    for (int i = 0; i < 50; i++) actions.addObject().put("action", "ScaleApplication").put("app", "/elsewhere/app-" + i);
    assertThat(h.post(h.callbackPath(), event.toString(), null).code()).isEqualTo(200);
    assertThat(h.metric("mdo_subscriber_events_total", "deployment_success", "outcome=\"ignored\"")).isEqualTo(1);

    double resyncs = h.metric("mdo_subscriber_resyncs_total");
    for (int i = 50; i < 5_000; i++) actions.addObject().put("action", "ScaleApplication").put("app", "/" + h.env + "/app-" + i);
    assertThat(h.post(h.callbackPath(), event.toString(), null).code()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.metric("mdo_subscriber_resyncs_total") > resyncs);
    assertThat(h.marathon.count(l -> l.startsWith("GET /v2/apps/elsewhere") || l.startsWith("GET /v2/apps/" + h.env
        + "/app-"))).as("no app fetched that Marathon did not list").isZero();
  }

  @Test
  void eventTypesTheRegistryDoesNotUseAreCountedAsOther() {
    startInCallbackMode();
    String type = "x".repeat(10_000);
    assertThat(h.post(h.callbackPath(), "{\"eventType\":\"" + type + "\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"}",
        null).code()).isEqualTo(200);
    assertThat(h.metric("mdo_subscriber_events_total", "type=\"other\"")).isEqualTo(1);
    assertThat(h.get("/metrics").body()).doesNotContain("xxxxxxxxxx");
  }

  @Test
  void textFromACallbackBodyIsEscapedInTheAnswerAndTheLog() throws Exception {
    startInCallbackMode();
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    java.io.PrintStream err = System.err;
    Harness.Reply reply;
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      reply = h.post(h.callbackPath(), "{\"eventType\":\"status_update_event\",\"timestamp\":\"2026-01-01T00:00:00.000Z\","
          + "\"appId\":\"x\\n2026-01-01 INFO mdo forged: all good\",\"taskId\":\"t\",\"taskStatus\":\"TASK_RUNNING\"}", null);
    } finally {
      System.setErr(err);
    }
    assertThat(reply.code()).isEqualTo(400);
    assertThat(reply.body()).contains("x\\\\u000a2026-01-01 INFO mdo forged");
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(log).contains("skipped: malformed status_update_event event").contains("x\\u000a2026-01-01 INFO mdo forged")
        .doesNotContain("\n2026-01-01 INFO mdo forged");
  }
}
