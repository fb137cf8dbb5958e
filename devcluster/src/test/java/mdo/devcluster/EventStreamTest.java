package mdo.devcluster;

import static mdo.devcluster.Harness.fields;
import static mdo.devcluster.Harness.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import mdo.testkit.Payloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** /v2/events byte for byte as Marathon (Jetty's EventSourceServlet) frames it, and the events' fields. */
class EventStreamTest {
  static Harness h;

  @BeforeAll
  static void start() {
    h = Harness.start();
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  /** A raw HTTP/1.1 client, so the exact bytes on the wire can be checked. */
  private static final class RawStream implements AutoCloseable {
    final Socket socket;
    final InputStream in;
    final ByteArrayOutputStream received = new ByteArrayOutputStream();

    RawStream(String query, String accept) throws IOException {
      URI uri = URI.create(h.url);
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /v2/events" + query + " HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nAccept: " + accept
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      in = socket.getInputStream();
    }

    /** Reads until the received bytes contain {@code marker}; fails on timeout or EOF. */
    String readUntil(String marker) throws IOException {
      byte[] buffer = new byte[8192];
      while (!received.toString(StandardCharsets.UTF_8).contains(marker)) {
        int n = in.read(buffer);
        if (n < 0) throw new AssertionError("EOF before " + marker + " in " + received);
        received.write(buffer, 0, n);
      }
      return received.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void framesAreCrlfWithEventAndDataLinesAndTheHeadersMarathonSends() throws IOException {
    try (RawStream stream = new RawStream("", "text/event-stream")) {
      String all = stream.readUntil("}\r\n\r\n");
      String head = all.substring(0, all.indexOf("\r\n\r\n") + 2);
      assertThat(head).startsWith("HTTP/1.1 200 OK\r\n")
          .containsIgnoringCase("Content-Type: text/event-stream;charset=UTF-8\r\n")
          .containsIgnoringCase("Connection: close\r\n")
          .containsIgnoringCase("Cache-Control: no-cache, no-store, must-revalidate\r\n")
          .doesNotContainIgnoringCase("Transfer-Encoding");
      String body = all.substring(all.indexOf("\r\n\r\n") + 4);
      assertThat(body).matches("(?s)event: event_stream_attached\r\ndata: \\{\"remoteAddress\":\"127\\.0\\.0\\.1\","
          + "\"eventType\":\"event_stream_attached\",\"timestamp\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\"\\}"
          + "\r\n\r\n.*");
      JsonNode attached = Harness.tree(body.substring(body.indexOf("data: ") + 6, body.indexOf("\r\n", body.indexOf("data: "))));
      assertThat(fields(attached)).isEqualTo(fields(parse(Payloads.marathon("events/event_stream_attached.json"))));

      // With no events to send, the heartbeat (a bare CRLF, every 300 ms here) keeps arriving.
      int before = stream.received.size();
      String afterHeartbeats = stream.readUntil("}\r\n\r\n\r\n\r\n");
      assertThat(afterHeartbeats.length()).isGreaterThan(before);
      assertThat(afterHeartbeats.substring(afterHeartbeats.lastIndexOf('}') + 1)).matches("(\r\n)+");
    }
  }

  @Test
  void anAcceptHeaderOtherThanExactlyTextEventStreamIs405() {
    for (String accept : new String[] {"text/event-stream, application/json", "application/json", "*/*"}) {
      okhttp3.Request request = new okhttp3.Request.Builder().url(h.url + "/v2/events").header("Accept", accept).build();
      try (okhttp3.Response response = h.http.newCall(request).execute()) {
        assertThat(response.code()).as(accept).isEqualTo(405);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void eventTypeFiltersRepeatAndMatchExactly() {
    try (Harness.Recorder filtered = h.record("?event_type=deployment_success&event_type=api_post_event")) {
      h.deploy("{\"id\":\"filtered\",\"cmd\":\"sleep 60\"}");
      filtered.next("deployment_success", d -> d.get("plan").toString().contains("/filtered"));
      assertThat(new HashSet<>(filtered.types())).isSubsetOf(Set.of("deployment_success", "api_post_event"));
      assertThat(filtered.types()).contains("api_post_event");
    }
  }

  @Test
  void everyEventHasTheFieldsMarathonWrites() {
    try (Harness.Recorder events = h.record("")) {
      h.deploy("{\"id\":\"/events/app\",\"cmd\":\"sleep 60\",\"portDefinitions\":[{\"port\":0,\"name\":\"http\"}]}");
      JsonNode running = events.next("status_update_event", d -> d.get("appId").asText().equals("/events/app")
          && d.get("taskStatus").asText().equals("TASK_RUNNING")).data();
      Set<String> statusFields = fields(parse(Payloads.marathon("events/status_update_event.sse-task-running.json")));
      statusFields.add("ipAddresses");
      assertThat(fields(running)).isEqualTo(statusFields);
      assertThat(running.get("ports").get(0).asInt()).isEqualTo(h.tasks("/events/app").get(0).get("ports").get(0).asInt());
      assertThat(running.get("ipAddresses").get(0).toString()).isEqualTo("{\"ipAddress\":\"127.0.0.1\",\"protocol\":\"IPv4\"}");
      assertThat(running.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
      assertThat(running.get("taskId").asText()).matches("events_app\\.instance-[0-9a-f-]{36}\\._app\\.1");

      expectFields(events, "instance_changed_event", "events/instance_changed_event.json");
      expectFields(events, "group_change_success", "events/group_change_success.sse-legacy.json");
      expectFields(events, "app_terminated_event", null);
      JsonNode post = events.seen.stream().filter(e -> e.type().equals("api_post_event")).findFirst().orElseThrow().data();
      assertThat(fields(post)).isEqualTo(fields(parse(Payloads.marathon("events/api_post_event.json"))));
      assertThat(post.get("appDefinition").get("id").asText()).isEqualTo("/events/app");
      JsonNode info = events.seen.stream().filter(e -> e.type().equals("deployment_info")).findFirst().orElseThrow().data();
      assertThat(fields(info)).containsExactlyInAnyOrder("plan", "currentStep", "eventType", "timestamp");
      assertThat(fields(info.get("plan"))).containsExactlyInAnyOrder("id", "steps", "version");
      assertThat(info.get("currentStep").toString()).isEqualTo("{\"actions\":[{\"action\":\"StartApplication\",\"app\":\"/events/app\"}]}");
      JsonNode success = events.next("deployment_success", d -> d.get("plan").toString().contains("/events/app")).data();
      assertThat(fields(success)).containsExactlyInAnyOrder("id", "plan", "eventType", "timestamp");

      h.call("DELETE", "/v2/apps/events/app", null);
      JsonNode killed = events.next("status_update_event", d -> d.get("taskStatus").asText().equals("TASK_KILLED")
          && d.get("appId").asText().equals("/events/app")).data();
      assertThat(killed.get("message").asText()).isEqualTo("Command terminated with signal Terminated");
      JsonNode terminated = events.next("app_terminated_event").data();
      assertThat(fields(terminated)).isEqualTo(fields(parse(Payloads.marathon("events/app_terminated_event.json"))));
    }
  }

  private static void expectFields(Harness.Recorder events, String type, String fixture) {
    if (fixture == null) return;
    JsonNode event = events.seen.stream().filter(e -> e.type().equals(type)).findFirst().orElseThrow().data();
    assertThat(fields(event)).as(type).isEqualTo(fields(parse(Payloads.marathon(fixture))));
  }

  @Test
  void aSupersededDeploymentFailsWithAReason() {
    try (Harness.Recorder events = h.record("?event_type=deployment_failed")) {
      h.post("/v2/apps", "{\"id\":\"superseded\",\"cmd\":\"sleep 60\",\"healthChecks\":[{\"protocol\":\"TCP\","
          + "\"gracePeriodSeconds\":300,\"intervalSeconds\":60,\"timeoutSeconds\":1}]}");
      String first = h.get("/v2/apps/superseded").get("app").get("deployments").get(0).get("id").asText();
      h.call("PUT", "/v2/apps/superseded?force=true", "{\"instances\":0}");
      JsonNode failed = events.next("deployment_failed").data();
      assertThat(failed.get("id").asText()).isEqualTo(first);
      assertThat(fields(failed)).containsExactlyInAnyOrder("id", "plan", "eventType", "timestamp", "reason");

      // The forced scale-down kills the task with a grace period; until it is done the app is locked (409).
      h.awaitNoDeployments("/superseded");
      Harness.Reply scaled = h.call("PUT", "/v2/apps/superseded", "{\"instances\":1}");
      assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
      String second = scaled.json().get("deploymentId").asText();
      h.call("DELETE", "/v2/apps/superseded", null);
      JsonNode deleted = events.next("deployment_failed").data();
      assertThat(deleted.get("id").asText()).isEqualTo(second);
      assertThat(deleted.get("reason").asText()).contains("deleted");
    }
  }

  @Test
  void aClientThatGoesAwayIsDroppedAndDetached() throws IOException {
    try (Harness.Recorder watcher = h.record("?event_type=event_stream_detached")) {
      // Streams of earlier tests are gone at the latest one heartbeat (300 ms) after their clients left.
      await().atMost(Duration.ofSeconds(5)).until(() -> h.cluster.eventStreams() == 1);
      int before = h.cluster.eventStreams();
      RawStream stream = new RawStream("", "text/event-stream");
      stream.readUntil("event_stream_attached");
      assertThat(h.cluster.eventStreams()).isEqualTo(before + 1);
      stream.close();
      await().atMost(Duration.ofSeconds(5)).until(() -> h.cluster.eventStreams() == before);
      JsonNode detached = watcher.next("event_stream_detached").data();
      assertThat(fields(detached)).containsExactlyInAnyOrder("remoteAddress", "eventType", "timestamp");
    }
  }
}
