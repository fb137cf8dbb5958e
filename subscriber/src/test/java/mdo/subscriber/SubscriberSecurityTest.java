package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.time.Duration;
import java.util.List;
import mdo.access.RegistrationTokens;
import mdo.config.SubscriberSettings;
import mdo.testkit.Chromium;
import mdo.testkit.EtcdServer;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who may do what with the subscriber, and what web pages can do to one that trusts loopback (nothing). */
class SubscriberSecurityTest {
  static final String SECRET = "registration-secret-for-tests";
  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  private void start(String adminToken) {
    SubscriberConfig c = h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.SSE, Harness.fastTuning());
    SubscriberSettings s = c.subscriber();
    h.start(new SubscriberConfig(c.etcd(), c.marathon(), new SubscriberSettings(s.host(), s.port(), s.url(), adminToken,
        s.events(), s.resyncInterval(), s.resyncUnhealthyAfter(), s.streamIdleTimeout(), s.callbackAllow(), SECRET,
        List.of()), c.environment(), c.tuning()));
  }

  @Test
  void onlyTheAdminTokenResyncsNotAServicesRegistrationToken() {
    start(Harness.TOKEN);
    String serviceToken = RegistrationTokens.of(SECRET, h.env, "web");
    Harness.Reply asService = h.post("/v1/resync?force=true", "", serviceToken);
    assertThat(asService.code()).isEqualTo(401);
    assertThat(asService.json().path("error").asText()).contains("the admin token is required");
    assertThat(h.post("/v1/resync", "", null).code()).as("loopback is not enough once a token is set").isEqualTo(401);
    assertThat(h.post("/v1/resync?force=true", "", Harness.TOKEN).code()).isEqualTo(202);
  }

  @Test
  void healthShowsEndpointsOnlyToTheAdmin() {
    start(Harness.TOKEN);
    await().atMost(Duration.ofSeconds(5)).until(() -> h.get("/health").code() == 200);
    JsonNode anyone = h.get("/health").json();
    assertThat(anyone.path("etcd").has("reachable")).isTrue();
    assertThat(anyone.path("etcd").has("endpoints")).isFalse();
    assertThat(anyone.path("marathon").has("urls")).isFalse();
    assertThat(anyone.toString()).doesNotContain(h.etcdEndpoint).doesNotContain(h.marathon.url());
    JsonNode service = h.get("/health", RegistrationTokens.of(SECRET, h.env, "web")).json();
    assertThat(service.path("etcd").has("endpoints")).as("a registration token is no admin").isFalse();
    JsonNode admin = h.get("/health", Harness.TOKEN).json();
    assertThat(admin.path("etcd").path("endpoints").asText()).isEqualTo(h.etcdEndpoint);
    assertThat(admin.path("marathon").path("urls").asText()).contains(h.marathon.url());
  }

  @Test
  void aResyncFailureNamesItsEndpointsOnlyToTheAdmin() {
    h.marathon.failRest(500);
    start(Harness.TOKEN);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.get("/health").body().contains("resyncs failing since"));
    assertThat(h.get("/health").body()).doesNotContain(h.marathon.url()).contains("Marathon error (details in /health"
        + " with the admin token, and in the log)");
    assertThat(h.get("/info").body()).doesNotContain(h.marathon.url());
    assertThat(h.get("/health", Harness.TOKEN).body()).contains(h.marathon.url());
  }

  @Test
  void withoutATokenAWebPageCannotMakeTheSubscriberResync() throws Exception {
    start(null);
    await().atMost(Duration.ofSeconds(10)).until(() -> h.metric("mdo_subscriber_resyncs_total") >= 1);
    double resyncs = h.metric("mdo_subscriber_resyncs_total");
    HttpServer site = Chromium.hostileSite(Chromium.postingPage("POST", h.base() + "/v1/resync?force=true", "{}"));
    try {
      String dom = Chromium.dumpDom("http://127.0.0.1:" + site.getAddress().getPort() + "/", 10_000);
      assertThat(dom).as("the browser sent it").contains("<title>sent</title>");
    } finally {
      site.stop(0);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> h.metric("mdo_subscriber_http_refused_total") >= 1);
    assertThat(h.metric("mdo_subscriber_resyncs_total")).as("no resync ran for the page").isEqualTo(resyncs);
    assertThat(h.post("/v1/resync", "", null).code()).as("a program on this host still may").isEqualTo(202);
  }

  @Test
  void foreignHostsOriginsAndNonJsonWritesAreRefused() throws Exception {
    start(null);
    Request rebound = new Request.Builder().url(h.base() + "/v1/services").header("Host", "evil.example:80").build();
    try (Response r = h.http.newCall(rebound).execute()) {
      assertThat(r.code()).isEqualTo(403);
    }
    Request plain = new Request.Builder().url(h.base() + "/v1/resync")
        .post(RequestBody.create("{}", MediaType.get("text/plain"))).build();
    try (Response r = h.http.newCall(plain).execute()) {
      assertThat(r.code()).isEqualTo(415);
    }
    Request crossOrigin = new Request.Builder().url(h.base() + "/v1/resync").header("Origin", "https://evil.example")
        .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
    try (Response r = h.http.newCall(crossOrigin).execute()) {
      assertThat(r.code()).isEqualTo(403);
    }
    assertThat(h.metric("mdo_subscriber_http_refused_total")).isEqualTo(3);
  }

  @Test
  void queueSlotsOfAppsGoOnceTheirEventsAreApplied() {
    start(Harness.TOKEN);
    for (int i = 0; i < 300; i++) {
      h.marathon.emit(h.status(1, "TASK_RUNNING", 5).replace(h.appId, "/elsewhere/app-" + i));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> h.subscriber.received() >= 301);
    await().atMost(Duration.ofSeconds(20)).until(() -> h.subscriber.queuedApps() == 0);
  }
}
