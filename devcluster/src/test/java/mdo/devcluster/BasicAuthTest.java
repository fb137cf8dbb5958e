package mdo.devcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import okhttp3.Credentials;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** --auth: every path needs basic credentials, answered the way Jetty's BasicAuthenticator answers Marathon's. */
class BasicAuthTest {
  @Test
  void everyPathNeedsTheCredentialsIncludingPingAndEvents() throws IOException {
    try (Harness h = Harness.start(s -> s.withCredentials("ops:s3cret"))) {
      for (String path : new String[] {"/ping", "/v2/apps", "/v2/events", "/v2/eventSubscriptions"}) {
        Request anonymous = new Request.Builder().url(h.url + path).header("Accept", "text/event-stream").build();
        try (Response response = h.http.newCall(anonymous).execute()) {
          assertThat(response.code()).as(path).isEqualTo(401);
          assertThat(response.header("WWW-Authenticate")).isEqualTo("basic realm=\"Mesosphere\"");
        }
      }
      Request wrong = new Request.Builder().url(h.url + "/v2/apps")
          .header("Authorization", Credentials.basic("ops", "guess")).build();
      try (Response response = h.http.newCall(wrong).execute()) {
        assertThat(response.code()).isEqualTo(401);
      }
      Request right = new Request.Builder().url(h.url + "/ping")
          .header("Authorization", Credentials.basic("ops", "s3cret")).build();
      try (Response response = h.http.newCall(right).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.body().string()).isEqualTo("pong");
      }
    }
  }
}
