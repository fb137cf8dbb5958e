package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mdo.config.SubscriberSettings;
import mdo.marathon.events.MarathonEvents;
import mdo.testkit.EtcdServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10's fault campaign, garbage in: 10,000 seeded fuzzed event bodies ({@link EventFuzzer}) on Marathon's event
 * stream, then the same 10,000 POSTed to a subscriber in callback mode ({@code /callback/<secret>}). Nothing escapes
 * (the stream never breaks, no request gets a 500), every body is counted as malformed or ignored as the fuzzer
 * expects, and the registry is exactly as before, mod revisions included.
 */
class FuzzedEventsTest {
  private static final int BODIES = 10_000;
  private static final long SEED = 20_261_121L;

  private final Harness h = new Harness(EtcdServer.shared().endpoint());

  @AfterEach
  void tearDown() {
    h.close();
  }

  private double outcome(String outcome) {
    return h.metric("mdo_subscriber_events_total", "outcome=\"" + outcome + "\"");
  }

  @Test
  void garbageIsCountedAndSkippedAndTheRegistryIsUntouched() {
    for (int n = 1; n <= 5; n++) h.marathon.putTask(h.task(n));
    h.start();
    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(30));
    h.marathon.awaitStreams(1, Duration.ofSeconds(10));
    Map<String, Long> before = h.revisions();

    EventFuzzer fuzzer = new EventFuzzer(SEED);
    List<EventFuzzer.Body> bodies = new ArrayList<>(BODIES);
    Map<String, Integer> kinds = new TreeMap<>();
    int malformed = 0;
    for (int i = 0; i < BODIES; i++) {
      EventFuzzer.Body b = fuzzer.next();
      bodies.add(b);
      kinds.merge(b.kind(), 1, Integer::sum);
      if (b.expect() == EventFuzzer.Expect.MALFORMED) malformed++;
    }
    int ignored = BODIES - malformed;
    System.out.printf("fuzzed bodies (seed %d): %s; expected %d malformed, %d ignored%n", SEED, kinds, malformed,
        ignored);

    // the stream
    double malformed0 = outcome("malformed");
    double ignored0 = outcome("ignored");
    long started = System.nanoTime();
    for (EventFuzzer.Body b : bodies) h.marathon.emitRaw("event: fuzz\r\ndata: " + b.json() + "\r\n\r\n");
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
        .until(() -> outcome("malformed") - malformed0 + outcome("ignored") - ignored0 >= BODIES);
    System.out.printf("stream: %d bodies counted in %d ms%n", BODIES, (System.nanoTime() - started) / 1_000_000);
    assertThat(outcome("malformed") - malformed0).isEqualTo(malformed);
    assertThat(outcome("ignored") - ignored0).isEqualTo(ignored);
    assertThat(h.metric("mdo_subscriber_stream_reconnects_total")).as("the stream never broke").isZero();
    assertThat(h.get("/health").json().path("stream").path("connected").asBoolean()).isTrue();

    assertThat(h.metric("mdo_subscriber_stream_reconnects_total")).isZero();
    long labels = h.get("/metrics").body().lines().filter(l -> l.startsWith("mdo_subscriber_events_total{"))
        .map(l -> l.replaceAll(".*type=\"([^\"]*)\".*", "$1")).distinct().count();
    assertThat(labels).as("event types named in bodies do not become metric labels").isLessThanOrEqualTo(
        MarathonEvents.USED_TYPES.size() + 2);

    // the HTTP callback: a subscriber in callback mode (Marathon < 1.5) in its place
    h.stopSubscriber();
    h.start(h.config(List.of(h.marathon.url()), SubscriberSettings.EventSource.CALLBACK, Harness.fastTuning()));
    String callback = h.callbackPath();
    double malformed1 = outcome("malformed");
    double ignored1 = outcome("ignored");
    Map<Integer, Integer> codes = new TreeMap<>();
    started = System.nanoTime();
    for (EventFuzzer.Body b : bodies) {
      Harness.Reply r = h.post(callback, b.json(), null);
      codes.merge(r.code(), 1, Integer::sum);
      int expected = b.expect() == EventFuzzer.Expect.MALFORMED ? 400 : 200;
      if (r.code() != expected) {
        throw new AssertionError(b.kind() + " answered " + r.code() + " (expected " + expected + "): " + r.body()
            + "\nbody: " + b.json().substring(0, Math.min(300, b.json().length())));
      }
    }
    System.out.printf("/callback: %d bodies in %d ms, answers %s%n", BODIES, (System.nanoTime() - started) / 1_000_000,
        codes);
    assertThat(outcome("malformed") - malformed1).isEqualTo(malformed);
    assertThat(outcome("ignored") - ignored1).isEqualTo(ignored);

    assertThat(h.revisions()).as("garbage changed nothing in etcd").isEqualTo(before);
    Truth.awaitRegistryMatchesMarathon(h, Duration.ofSeconds(5));
    assertThat(h.get("/health").code()).isEqualTo(200);
  }
}
