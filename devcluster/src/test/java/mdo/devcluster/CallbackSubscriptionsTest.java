package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The legacy /v2/eventSubscriptions HTTP callbacks, delivered to real local receivers. */
class CallbackSubscriptionsTest {
  static Harness h;
  static Javalin receiver;
  static final LinkedBlockingQueue<JsonNode> fast = new LinkedBlockingQueue<>();
  static final CountDownLatch release = new CountDownLatch(1);

  @BeforeAll
  static void start() {
    h = Harness.start();
    receiver = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.post("/fast", ctx -> {
        fast.add(Harness.tree(ctx.body()));
        ctx.status(200);
      });
      // A subscriber that hangs: the dev cluster must time it out without holding up anyone else.
      cfg.routes.post("/hang", ctx -> {
        release.await(10, TimeUnit.SECONDS);
        ctx.status(200);
      });
    }).start("127.0.0.1", 0);
  }

  @AfterAll
  static void stop() {
    release.countDown();
    h.close();
    receiver.stop();
  }

  private static String subscription(String path) {
    return "/v2/eventSubscriptions?callbackUrl="
        + URLEncoder.encode("http://127.0.0.1:" + receiver.port() + path, StandardCharsets.UTF_8);
  }

  private static JsonNode nextFast(String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      JsonNode event = fast.poll(200, TimeUnit.MILLISECONDS);
      if (event != null && event.get("eventType").asText().equals(type)) return event;
    }
    throw new AssertionError("no " + type + " delivered");
  }

  @Test
  void subscribersGetEveryEventPostedEvenWhenAnotherSubscriberHangs() throws Exception {
    Harness.Reply hang = h.post(subscription("/hang"), null);
    assertThat(hang.code()).isEqualTo(200);
    Harness.Reply subscribed = h.post(subscription("/fast"), null);
    assertThat(subscribed.code()).isEqualTo(200);
    assertThat(fields(subscribed.json())).containsAll(fields(parse(Payloads.marathon("event_subscriptions_post_response.json"))))
        .contains("timestamp");
    assertThat(subscribed.json().get("eventType").asText()).isEqualTo("subscribe_event");
    JsonNode list = h.get("/v2/eventSubscriptions");
    assertThat(fields(list)).isEqualTo(fields(parse(Payloads.marathon("event_subscriptions_get_response.json"))));
    assertThat(list.get("callbackUrls")).hasSize(2);

    try (Harness.Recorder sse = h.record("?event_type=api_post_event")) {
      long start = System.nanoTime();
      h.post("/v2/apps", "{\"id\":\"called-back\",\"cmd\":\"sleep 60\",\"instances\":0}");
      JsonNode posted = nextFast("api_post_event");
      sse.next("api_post_event");
      assertThat((System.nanoTime() - start) / 1_000_000).as("not held up by the hanging subscriber").isLessThan(900);
      assertThat(posted.get("appDefinition").get("id").asText()).isEqualTo("/called-back");
      nextFast("deployment_success");
    }

    Harness.Reply unsubscribed = h.call("DELETE", subscription("/fast"), null);
    assertThat(unsubscribed.code()).isEqualTo(200);
    assertThat(fields(unsubscribed.json())).containsAll(fields(parse(Payloads.marathon("event_subscriptions_delete_response.json"))));
    assertThat(unsubscribed.json().get("eventType").asText()).isEqualTo("unsubscribe_event");
    h.call("DELETE", subscription("/hang"), null);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/v2/eventSubscriptions").get("callbackUrls").isEmpty());
  }

  @Test
  void metadataAndBrokenCallbackUrlsAreRefused() throws IOException {
    for (String url : new String[] {"http://169.254.169.254/latest", "ftp://127.0.0.1/x", "not a url",
        "http://[fe80::1]/x"}) {
      Harness.Reply reply = h.post("/v2/eventSubscriptions?callbackUrl=" + URLEncoder.encode(url, StandardCharsets.UTF_8),
          null);
      assertThat(reply.code()).as(url).isEqualTo(422);
      assertThat(reply.json().get("details").get(0).get("path").asText()).isEqualTo("/callbackUrl");
    }
    assertThat(h.get("/v2/eventSubscriptions").get("callbackUrls").toString()).doesNotContain("169.254");
  }
}
