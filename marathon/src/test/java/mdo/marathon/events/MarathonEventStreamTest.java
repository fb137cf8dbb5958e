package mdo.marathon.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mdo.config.MarathonSettings;
import mdo.marathon.MarathonClient;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarathonEventStreamTest {
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final Recorder recorder = new Recorder();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) closeables.get(i).close();
    scheduler.shutdownNow();
    recorder.assertNoMalformed();
  }

  private MarathonSimulation marathon() {
    MarathonSimulation m = new MarathonSimulation().start();
    closeables.add(m);
    return m;
  }

  private MarathonEventStream stream(MarathonSettings settings, Duration idle) {
    MarathonEventStream s = new MarathonEventStream(new MarathonClient(settings), idle, MarathonEvents.USED_TYPES,
        recorder, scheduler, new Backoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    closeables.add(s);
    s.start();
    return s;
  }

  @Test
  void asksForTheStreamWithExactlyTheSseAcceptHeaderAndTypeFilters() throws Exception {
    MarathonSimulation marathon = marathon();
    stream(MarathonSettings.of(marathon.url()), Duration.ofSeconds(5));
    assertThat(recorder.next()).isEqualTo("connected " + marathon.url());
    RecordedRequest request = marathon.recorded().get(0);
    assertThat(request.getMethod()).isEqualTo("GET");
    assertThat(request.getUrl().encodedPath()).isEqualTo("/v2/events");
    assertThat(request.getHeaders().values("Accept")).containsExactly("text/event-stream");
    assertThat(request.getUrl().queryParameterValues("event_type")).containsExactlyElementsOf(MarathonEvents.USED_TYPES);
    assertThat(request.getUrl().queryParameter("plan-format")).isEqualTo("light");
    assertThat(recorder.next()).isEqualTo("event event_stream_attached");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 5, 10, 60, 4096})
  void eventsSurviveCrlfFramingHeartbeatsAndEveryChunkBoundary(int chunk) throws Exception {
    MarathonSimulation marathon = marathon();
    stream(MarathonSettings.of(marathon.url()), Duration.ofSeconds(5));
    assertThat(recorder.next()).startsWith("connected");
    assertThat(recorder.next()).isEqualTo("event event_stream_attached");
    String failed = oneLine(Payloads.marathon("events/status_update_event.sse-task-failed.json"));
    String running = oneLine(Payloads.marathon("events/status_update_event.sse-task-running.json"));
    String transcript = "\r\n" // heartbeat
        + "event: status_update_event\r\ndata: " + failed + "\r\n\r\n"
        + "\r\n\r\n" // two more heartbeats
        + "data: " + running + "\r\n\r\n"; // pre-0.11 frame without an event: line
    for (int i = 0; i < transcript.length(); i += chunk) {
      marathon.emitRaw(transcript.substring(i, Math.min(transcript.length(), i + chunk)));
      if (chunk < 100) LockSupport.parkNanos(100_000); // let chunks reach the socket separately
    }
    assertThat(recorder.next()).isEqualTo("event status_update_event foo.0664256e-6771-11e5-94e1-be5b2935a987 TASK_FAILED");
    assertThat(recorder.next()).isEqualTo("event status_update_event test-app.5dd78972-6771-11e5-94e1-be5b2935a987 TASK_RUNNING");
    recorder.assertQuiet();
  }

  @Test
  void malformedEventIsReportedAndTheStreamGoesOn() throws Exception {
    MarathonSimulation marathon = marathon();
    stream(MarathonSettings.of(marathon.url()), Duration.ofSeconds(5));
    recorder.next();
    recorder.next();
    marathon.emitRaw("event: status_update_event\r\ndata: {\"eventType\":\"status_update_event\",\"timesta\r\n\r\n");
    marathon.emit(Payloads.marathon("events/status_update_event.sse-task-running.json"));
    assertThat(recorder.next()).startsWith("malformed status_update_event");
    assertThat(recorder.next()).startsWith("event status_update_event test-app.");
    recorder.malformed.clear();
  }

  @Test
  void droppedStreamReconnectsAndEachConnectIsReported() throws Exception {
    MarathonSimulation marathon = marathon();
    stream(MarathonSettings.of(marathon.url()), Duration.ofSeconds(5));
    assertThat(recorder.next()).startsWith("connected");
    assertThat(recorder.next()).isEqualTo("event event_stream_attached");
    marathon.dropStreams();
    assertThat(recorder.next()).startsWith("disconnected");
    assertThat(recorder.next()).isEqualTo("connected " + marathon.url());
    assertThat(recorder.next()).isEqualTo("event event_stream_attached");
    marathon.emit(Payloads.marathon("events/status_update_event.sse-task-running.json"));
    assertThat(recorder.next()).startsWith("event status_update_event");
  }

  @Test
  void standbyRedirectsToTheLeaderAndAcceptAndCredentialsFollow() throws Exception {
    MarathonSimulation leader = marathon();
    MarathonSimulation standby = marathon();
    standby.redirectEventsTo(leader.url());
    MarathonSettings settings = new MarathonSettings(List.of(URI.create(standby.url()), URI.create(leader.url())), null,
        null, "s3cret", null, null);
    stream(settings, Duration.ofSeconds(5));
    assertThat(recorder.next()).isEqualTo("connected " + standby.url());
    assertThat(recorder.next()).isEqualTo("event event_stream_attached");
    RecordedRequest atLeader = leader.recorded().get(0);
    assertThat(atLeader.getHeaders().get("Accept")).isEqualTo("text/event-stream");
    assertThat(atLeader.getHeaders().get("Authorization")).isEqualTo("token=s3cret");
    assertThat(atLeader.getUrl().queryParameterValues("event_type")).containsExactlyElementsOf(MarathonEvents.USED_TYPES);
    leader.emit(Payloads.marathon("events/status_update_event.sse-task-running.json"));
    assertThat(recorder.next()).startsWith("event status_update_event");
  }

  @Test
  void silentStreamIsDetectedByTheIdleTimeoutAndReplaced() throws Exception {
    MarathonSimulation marathon = marathon();
    marathon.stallStreams(true); // accepts, then never writes: not even a heartbeat
    stream(MarathonSettings.of(marathon.url()), Duration.ofMillis(300));
    assertThat(recorder.next()).startsWith("connected");
    assertThat(recorder.next()).contains("disconnected").containsIgnoringCase("timeout");
    marathon.stallStreams(false);
    String next;
    do {
      next = recorder.next(); // possibly more stalled attempts before the flag took effect
    } while (!next.equals("event event_stream_attached"));
  }

  @Test
  void heartbeatsKeepAQuietStreamAlive() throws Exception {
    MarathonSimulation marathon = marathon();
    // The idle timeout leaves room for a loaded machine to stall this thread between two heartbeats.
    stream(MarathonSettings.of(marathon.url()), Duration.ofSeconds(1));
    recorder.next();
    recorder.next();
    for (int i = 0; i < 20; i++) { // 3 s of heartbeats only, three times the idle timeout
      marathon.heartbeat();
      Thread.sleep(150);
    }
    recorder.assertQuiet();
  }

  @Test
  void failsOverToTheNextUrlWhenTheFirstDoesNotAnswer() throws Exception {
    MarathonSimulation marathon = marathon();
    String dead;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = "http://127.0.0.1:" + s.getLocalPort();
    }
    stream(MarathonSettings.of(dead, marathon.url()), Duration.ofSeconds(5));
    assertThat(recorder.next()).startsWith("disconnected");
    assertThat(recorder.next()).isEqualTo("connected " + marathon.url());
  }

  private static String oneLine(String json) {
    return json.replace("\n", "").replace("\r", "");
  }

  /** Records listener calls as one-line transcripts; {@link #next()} fails after 5 s. */
  static final class Recorder implements MarathonEventStream.Listener {
    final BlockingDeque<String> calls = new LinkedBlockingDeque<>();
    final List<String> malformed = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void onConnected(URI url) {
      calls.add("connected " + url);
    }

    @Override
    public void onEvent(MarathonEvent event, long receivedNanos) {
      if (event instanceof MarathonEvent.TaskStatus t) {
        calls.add("event " + t.type() + " " + t.taskId() + " " + t.taskStatus());
      } else {
        calls.add("event " + event.type());
      }
    }

    @Override
    public void onMalformed(String type, String reason) {
      malformed.add(type + ": " + reason);
      calls.add("malformed " + type + " " + reason);
    }

    @Override
    public void onDisconnected(String reason) {
      calls.add("disconnected " + reason);
    }

    String next() throws InterruptedException {
      String call = calls.poll(5, TimeUnit.SECONDS);
      if (call == null) throw new AssertionError("no listener call within 5 s");
      return call;
    }

    void assertQuiet() throws InterruptedException {
      String call = calls.poll(200, TimeUnit.MILLISECONDS);
      assertThat(call).as("unexpected listener call").isNull();
    }

    void assertNoMalformed() {
      assertThat(malformed).isEmpty();
    }
  }

}
