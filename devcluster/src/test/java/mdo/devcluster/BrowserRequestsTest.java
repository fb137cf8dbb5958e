package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import mdo.testkit.Chromium;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A web page open on the developer's machine cannot drive the dev cluster, which runs {@code /bin/sh -c} for whoever
 * creates an app: a real browser's cross-site POST is refused, and so are foreign Host headers (DNS rebinding) and
 * non-JSON writes, while mdo's own clients keep working.
 */
class BrowserRequestsTest {
  private final Harness h = Harness.start();

  @AfterEach
  void stop() {
    h.close();
  }

  private String appJson(Path marker) {
    return "{\"id\":\"/pwned\",\"cmd\":\"touch " + marker + "\",\"cpus\":0.1,\"mem\":16,\"instances\":1}";
  }

  @Test
  void aRealBrowserOnAnotherSitesPageCannotCreateAnApp() throws Exception {
    Path marker = h.dir.resolve("pwned");
    HttpServer site = Chromium.hostileSite(Chromium.postingPage("POST", h.url + "/v2/apps", appJson(marker)));
    try {
      String dom = Chromium.dumpDom("http://127.0.0.1:" + site.getAddress().getPort() + "/", 10_000);
      assertThat(dom).as("the browser sent the request").contains("<title>sent</title>");
    } finally {
      site.stop(0);
    }
    assertThat(h.get("/v2/apps").get("apps").size()).as("no app was created").isZero();
    assertThat(Files.exists(marker)).isFalse();
  }

  @Test
  void textPlainWritesGetMarathonsUnsupportedMediaType() throws Exception {
    Path marker = h.dir.resolve("pwned");
    Request request = new Request.Builder().url(h.url + "/v2/apps")
        .post(RequestBody.create(appJson(marker), MediaType.get("text/plain; charset=utf-8"))).build();
    try (Response r = h.http.newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(415);
      assertThat(r.body().string()).isEqualTo("{\"message\":\"Unsupported Media Type\"}");
    }
    assertThat(h.get("/v2/apps").get("apps").size()).isZero();
  }

  @Test
  void aForeignHostHeaderIsRefusedEvenForReads() throws Exception {
    Request request = new Request.Builder().url(h.url + "/v2/apps").header("Host", "rebound.attacker.example").build();
    try (Response r = h.http.newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(403);
      assertThat(h.tree(r.body().string()).path("message").asText())
          .startsWith("Host 'rebound.attacker.example' is not a name this server is known by");
    }
  }

  @Test
  void anotherOriginIsRefusedAndJsonFromProgramsStillWorks() throws Exception {
    Request request = new Request.Builder().url(h.url + "/v2/apps").header("Origin", "http://attacker.example")
        .post(RequestBody.create(appJson(h.dir.resolve("x")), Harness.JSON)).build();
    try (Response r = h.http.newCall(request).execute()) {
      assertThat(r.code()).isEqualTo(403);
    }
    assertThat(h.post("/v2/apps", appJson(h.dir.resolve("ok"))).code()).isEqualTo(201);
  }
}
