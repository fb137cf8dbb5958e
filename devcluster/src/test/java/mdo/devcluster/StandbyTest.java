package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import mdo.devcluster.standby.Standby;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.sse.EventSource;
import okhttp3.sse.EventSourceListener;
import okhttp3.sse.EventSources;
import org.junit.jupiter.api.Test;

/**
 * {@code up --standby-of URL}: a non-leader Marathon that proxies REST to the leader, redirects the event stream
 * (1.7+) and answers 502 when there is no leader, as LeaderProxyFilter and the request forwarder do.
 */
class StandbyTest {
  private final OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
      .readTimeout(Duration.ofSeconds(30)).build();

  private static Standby standbyOf(String leaderUrl, MarathonVersion version, Duration sessionTimeout) {
    try {
      return Standby.start(Settings.defaults(Files.createTempDirectory("mdo-standby-test-")).withPort(0)
          .withMarathon(MarathonFlags.defaults(version)).withStandbyOf(URI.create(leaderUrl), sessionTimeout));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Harness.Reply call(String method, String url, String body, String... headers) {
    Request.Builder request = new Request.Builder().url(url).method(method,
        body == null ? null : RequestBody.create(body, Harness.JSON));
    for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
    try (Response response = http.newCall(request.build()).execute()) {
      return new Harness.Reply(response.code(), response.headers(), response.body().string());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Once the standby has seen its leader answer. */
  private Harness.Reply awaitProxied(String url) {
    return await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", url, null), r -> r.code() != 502);
  }

  @Test
  void restIsProxiedToTheLeaderAndTheEventStreamRedirected() {
    try (Harness leader = Harness.start();
         Standby standby = standbyOf(leader.url, MarathonVersion.DEFAULT, Duration.ofSeconds(10))) {
      String via = "1.1 " + standby.url().substring("http://".length());
      Harness.Reply info = awaitProxied(standby.url() + "/v2/info");
      assertThat(info.code()).isEqualTo(200);
      assertThat(info.json()).isEqualTo(leader.get("/v2/info"));
      assertThat(info.headers().get("X-Marathon-Via")).isEqualTo(via);
      assertThat(info.headers().get("X-Marathon-Leader")).isEqualTo(leader.url);
      assertThat(call("GET", standby.url() + "/v2/leader", null).json()).isEqualTo(leader.get("/v2/leader"));
      assertThat(call("GET", standby.url() + "/ping", null).body()).isEqualTo("pong");

      Harness.Reply created = call("POST", standby.url() + "/v2/apps", "{\"id\":\"/via/standby\",\"cmd\":\"sleep 60\","
          + "\"instances\":0}");
      assertThat(created.code()).isEqualTo(201);
      assertThat(created.headers().get("Marathon-Deployment-Id")).isNotBlank();
      assertThat(leader.get("/v2/apps/via/standby").get("app").get("cmd").asText()).isEqualTo("sleep 60");
      Harness.Reply missing = call("GET", standby.url() + "/v2/apps/not-there", null);
      assertThat(missing.code()).isEqualTo(404);
      assertThat(missing.json().get("message").asText()).isEqualTo("App '/not-there' does not exist");

      Harness.Reply events = call("GET", standby.url() + "/v2/events?event_type=deployment_info", null,
          "Accept", "text/event-stream");
      assertThat(events.code()).isEqualTo(302);
      assertThat(events.headers().get("Location")).isEqualTo(leader.url + "/v2/events?event_type=deployment_info");
    }
  }

  /** Up to 1.6 a standby proxied /v2/events instead of redirecting: the events arrive through it. */
  @Test
  void upTo16TheEventStreamIsProxied() throws Exception {
    try (Harness leader = Harness.start();
         Standby standby = standbyOf(leader.url, MarathonVersion.parse("1.6"), Duration.ofSeconds(10))) {
      awaitProxied(standby.url() + "/ping");
      AtomicReference<String> posted = new AtomicReference<>();
      java.util.concurrent.CountDownLatch opened = new java.util.concurrent.CountDownLatch(1);
      EventSource source = EventSources.createFactory(http.newBuilder().readTimeout(Duration.ZERO).build())
          .newEventSource(new Request.Builder().url(standby.url() + "/v2/events?event_type=api_post_event")
              .header("Accept", "text/event-stream").build(), new EventSourceListener() {
                @Override
                public void onOpen(EventSource s, Response response) {
                  opened.countDown();
                }

                @Override
                public void onEvent(EventSource s, String id, String type, String data) {
                  posted.set(data);
                }
              });
      try {
        assertThat(opened.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        leader.post("/v2/apps", "{\"id\":\"/streamed\",\"cmd\":\"sleep 60\",\"instances\":0}");
        await().atMost(Duration.ofSeconds(10)).until(() -> posted.get() != null);
        assertThat(Harness.tree(posted.get()).get("appDefinition").get("id").asText()).isEqualTo("/streamed");
      } finally {
        source.cancel();
      }
    }
  }

  /** The forwarder's headers: the via marker and the client's address appended to X-Forwarded-For. */
  @Test
  void forwardedRequestsCarryViaAndForwardedForAndLoopsAreRefused() {
    AtomicReference<String> seen = new AtomicReference<>();
    Javalin fakeLeader = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.routes.get("/ping", ctx -> ctx.result("pong"));
      cfg.routes.put("/v2/apps/x", ctx -> {
        seen.set(ctx.header("X-Marathon-Via") + "|" + ctx.header("X-Forwarded-For") + "|" + ctx.header("Authorization")
            + "|" + ctx.queryString() + "|" + ctx.body());
        ctx.status(200).header("Marathon-Deployment-Id", "d1").json(java.util.Map.of("deploymentId", "d1"));
      });
    }).start("127.0.0.1", 0);
    try (Standby standby = standbyOf("http://127.0.0.1:" + fakeLeader.port(), MarathonVersion.DEFAULT,
        Duration.ofSeconds(10))) {
      String hostPort = standby.url().substring("http://".length());
      awaitProxied(standby.url() + "/ping");
      Harness.Reply reply = call("PUT", standby.url() + "/v2/apps/x?force=true", "{\"instances\":2}",
          "X-Forwarded-For", "10.1.2.3", "Authorization", "Basic b3BzOnMzY3JldA==");
      assertThat(reply.code()).isEqualTo(200);
      assertThat(reply.headers().get("Marathon-Deployment-Id")).isEqualTo("d1");
      assertThat(seen.get()).isEqualTo("1.1 " + hostPort + "|10.1.2.3,127.0.0.1|Basic b3BzOnMzY3JldA==|force=true"
          + "|{\"instances\":2}");

      Harness.Reply loop = call("GET", standby.url() + "/v2/apps", null, "X-Marathon-Via", "1.1 " + hostPort);
      assertThat(loop.code()).isEqualTo(502);
      assertThat(loop.body()).contains("Detected proxying loop.");
    } finally {
      fakeLeader.stop();
    }
  }

  /** A leader that went away: refused while it still counts as elected, then "no leader" once its session ends. */
  @Test
  void withoutALeaderTheStandbyAnswers502() {
    Harness leader = Harness.start();
    // Long enough a session that the first request after the leader stops still finds it elected.
    try (Standby standby = standbyOf(leader.url, MarathonVersion.DEFAULT, Duration.ofSeconds(5))) {
      awaitProxied(standby.url() + "/v2/apps");
      leader.close();
      Harness.Reply refused = call("GET", standby.url() + "/v2/apps", null);
      assertThat(refused.code()).isEqualTo(502);
      assertThat(refused.headers().get("Content-Type")).startsWith("text/html");
      assertThat(refused.body()).contains("Connection to leader refused.");
      Harness.Reply noLeader = await().atMost(Duration.ofSeconds(15))
          .until(() -> call("GET", standby.url() + "/v2/apps", null), r -> r.body().contains("current leader"));
      assertThat(noLeader.code()).isEqualTo(502);
      assertThat(noLeader.body()).contains("Could not determine the current leader");
    }
    try (Standby orphan = standbyOf("http://127.0.0.1:9", MarathonVersion.DEFAULT, Duration.ofSeconds(2))) {
      long start = System.nanoTime();
      Harness.Reply reply = call("GET", orphan.url() + "/v2/leader", null);
      assertThat(reply.code()).isEqualTo(502);
      assertThat(reply.body()).contains("Could not determine the current leader");
      assertThat((System.nanoTime() - start) / 1_000_000).as("10 retries, 250 ms apart").isGreaterThanOrEqualTo(2400);
    }
  }

  @Test
  void credentialsAreAskedForByTheStandbyAndPassedOn() {
    try (Harness leader = Harness.start(s -> s.withCredentials("ops:s3cret"));
         Standby standby = Standby.start(leaderSettings(leader).withCredentials("ops:s3cret"))) {
      Harness.Reply anonymous = call("GET", standby.url() + "/v2/apps", null);
      assertThat(anonymous.code()).isEqualTo(401);
      assertThat(anonymous.headers().get("WWW-Authenticate")).isEqualTo("basic realm=\"Mesosphere\"");
      JsonNode apps = await().atMost(Duration.ofSeconds(10)).until(() -> call("GET", standby.url() + "/v2/apps", null,
          "Authorization", okhttp3.Credentials.basic("ops", "s3cret")), r -> r.code() == 200).json();
      assertThat(apps.get("apps")).isEmpty();
    }
  }

  private static Settings leaderSettings(Harness leader) {
    try {
      return Settings.defaults(Files.createTempDirectory("mdo-standby-test-")).withPort(0)
          .withStandbyOf(URI.create(leader.url), Duration.ofSeconds(10));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
