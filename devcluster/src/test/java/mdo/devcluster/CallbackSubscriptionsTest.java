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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The legacy /v2/eventSubscriptions HTTP callbacks, delivered to real local receivers. */
class CallbackSubscriptionsTest {
  static Harness h;
  static Javalin receiver;
  /** Every event the fast subscriber got, in arrival order (deliveries run concurrently, so not posting order). */
  static final List<JsonNode> fast = new CopyOnWriteArrayList<>();
  static final CountDownLatch release = new CountDownLatch(1);
  static final AtomicInteger hangsOpen = new AtomicInteger();

  @BeforeAll
  static void start() {
    // The callback timeout outlasts the test, so a dev cluster that delivered one subscriber after another would
    // hold the fast subscriber's events until the hanging one was released.
    // The callback bus is Marathon 1.4's, on only with --event_subscriber http_callback.
    h = Harness.start(s -> s.withCallbackTimeout(Duration.ofSeconds(60))
        .withMarathon(MarathonFlags.defaults(MarathonVersion.parse("1.4")).withHttpCallbacks(true)));
    receiver = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.post("/fast", ctx -> {
        fast.add(Harness.tree(ctx.body()));
        ctx.status(200);
      });
      cfg.routes.post("/hang", ctx -> {
        hangsOpen.incrementAndGet();
        release.await(90, TimeUnit.SECONDS);
        hangsOpen.decrementAndGet();
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

  private static JsonNode awaitFast(String type) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> fast.stream().filter(e -> e.get("eventType").asText().equals(type)).findFirst().orElse(null),
            event -> event != null);
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
      h.post("/v2/apps", "{\"id\":\"called-back\",\"cmd\":\"sleep 60\",\"instances\":0}");
      JsonNode posted = awaitFast("api_post_event");
      assertThat(hangsOpen.get()).as("the hanging subscriber still holds its deliveries").isPositive();
      sse.next("api_post_event");
      assertThat(posted.get("appDefinition").get("id").asText()).isEqualTo("/called-back");
      awaitFast("deployment_success");
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
