package mdo.devcluster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mdo.devcluster.DevCluster;
import mdo.devcluster.Json;
import mdo.devcluster.Settings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code devcluster bench}: starts a dev cluster in-process on a free port and prints what a client sees: start-up
 * time, REST latency, event delivery latency over SSE, and how long deployments of N real processes take.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure the dev cluster and print figures.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--instances", defaultValue = "20", description = "instances to deploy (default ${DEFAULT-VALUE})")
  int instances;

  @Option(names = "--requests", defaultValue = "200", description = "REST calls to time (default ${DEFAULT-VALUE})")
  int requests;

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();

  @Override
  public Integer call() throws Exception {
    Path dir = Files.createTempDirectory("mdo-devcluster-bench-");
    long t0 = System.nanoTime();
    try (DevCluster cluster = DevCluster.start(Settings.defaults(dir).withPort(0).withPortRange(37000, 37999)
        .withDefaultKillGrace(Duration.ofSeconds(2)))) {
      String url = cluster.url();
      request("GET", url + "/ping", null);
      System.out.printf("start-up (DevCluster.start until /ping answers): %d ms%n", ms(t0));
      http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v2/events?event_type=deployment_success"
              + "&event_type=api_post_event")).header("Accept", "text/event-stream").build(),
          HttpResponse.BodyHandlers.ofLines()).thenAccept(r -> consume(r.body()));
      Thread.sleep(300);

      List<Long> latencies = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        request("GET", url + "/v2/apps", null);
        latencies.add(System.nanoTime() - start);
      }
      print("GET /v2/apps", latencies);

      request("POST", url + "/v2/apps", "{\"id\":\"bench/idle\",\"cmd\":\"sleep 600\",\"instances\":0}");
      awaitEvent("deployment_success");
      List<Long> eventLatencies = new ArrayList<>();
      for (int i = 0; i < Math.min(requests, 100); i++) {
        events.clear();
        long start = System.nanoTime();
        request("PATCH", url + "/v2/apps/bench/idle", "{\"env\":{\"N\":\"" + i + "\"}}");
        awaitEvent("api_post_event");
        eventLatencies.add(System.nanoTime() - start);
        awaitEvent("deployment_success");
      }
      print("PATCH -> api_post_event on /v2/events", eventLatencies);

      events.clear();
      long deploy = System.nanoTime();
      request("POST", url + "/v2/apps", "{\"id\":\"bench/busy\",\"cmd\":\"sleep 600\",\"instances\":" + instances + "}");
      awaitEvent("deployment_success");
      System.out.printf("deploy %d local processes (POST until deployment_success): %d ms%n", instances, ms(deploy));

      events.clear();
      long restart = System.nanoTime();
      request("POST", url + "/v2/apps/bench/busy/restart", null);
      awaitEvent("deployment_success");
      System.out.printf("rolling restart of %d instances: %d ms%n", instances, ms(restart));

      events.clear();
      long scaleDown = System.nanoTime();
      request("PUT", url + "/v2/apps/bench/busy", "{\"instances\":0}");
      awaitEvent("deployment_success");
      System.out.printf("scale %d -> 0 (SIGTERM, exit observed): %d ms%n", instances, ms(scaleDown));
    }
    System.out.printf("total including shutdown: %d ms%n", ms(t0));
    return 0;
  }

  private void consume(Stream<String> lines) {
    lines.filter(l -> l.startsWith("event: ")).forEach(l -> events.add(l.substring(7)));
  }

  private void awaitEvent(String type) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      String e = events.poll(1, TimeUnit.SECONDS);
      if (type.equals(e)) return;
    }
    throw new IllegalStateException("no " + type + " within 120 s");
  }

  private JsonNode request(String method, String url, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + r.body());
    return r.body().startsWith("{") || r.body().startsWith("[") ? Json.MAPPER.readTree(r.body()) : null;
  }

  private static long ms(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static void print(String what, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    System.out.printf("%s: n=%d median %.2f ms, p99 %.2f ms, max %.2f ms%n", what, sorted.size(),
        sorted.get(sorted.size() / 2) / 1e6, sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99)) / 1e6,
        sorted.get(sorted.size() - 1) / 1e6);
  }
}
