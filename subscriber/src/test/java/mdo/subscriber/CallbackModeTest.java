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
    String expected = h.base() + "/callback";
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
    String expected = h.base() + "/callback";
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
    assertThat(h.post("/callback", h.status(1, "TASK_RUNNING", 5), null).code()).isEqualTo(200);
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    assertThat(h.post("/callback", "{\"eventType\":", null).code()).isEqualTo(400);
    assertThat(h.post("/callback", "{\"timestamp\":\"2026-01-01T00:00:00.000Z\"}", null).code()).isEqualTo(400);
    assertThat(h.post("/callback", Payloads.marathon("events/subscribe_event.json"), null).code()).isEqualTo(200);
    assertThat(h.metric("mdo_subscriber_events_total", "outcome=\"malformed\"")).isEqualTo(2);
  }

  @Test
  void aForgedCallbackCannotWriteWhatMarathonDoesNotSay() {
    startInCallbackMode();
    // the event names a task Marathon does not have: only Marathon's listing is written
    assertThat(h.post("/callback", h.status(9, "TASK_RUNNING", 5), null).code()).isEqualTo(200);
    h.marathon.putTask(h.task(1));
    assertThat(h.post("/callback", h.status(1, "TASK_RUNNING", 6), null).code()).isEqualTo(200);
    h.awaitRegistry(r -> r.containsKey(h.taskId(1)));
    assertThat(h.registry()).doesNotContainKey(h.taskId(9));
  }
}
