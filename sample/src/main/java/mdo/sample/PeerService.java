package mdo.sample;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import mdo.guestutils.CallbackClient;
import mdo.guestutils.CallbackSignature;
import mdo.guestutils.GuestUtils;
import mdo.registry.RegistryJson;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo's sample service: what a Cassandra node does at start-up, in miniature.
 *
 * <ol>
 *   <li>Binds the port guestutils names {@code http} (its own, internal port).
 *   <li>Reads its peers with {@code getNodeList(service, ["http"], 0)}: the seed list.
 *   <li>Registers a membership callback with the subscriber (with its service's registration token) and, on every
 *       notification signed with the registration's secret within the last 5 minutes, logs who joined and who left
 *       (where Cassandra would run {@code nodetool cleanup}).
 * </ol>
 *
 * As a local process it asks the guestutils library for the port and the seeds. In its image the entrypoint asks the
 * guestutils CLI, as a third-party service's start script would, and passes the answers as {@code --port} and
 * {@code --seeds}.
 *
 * <p>{@code GET /} answers JSON with the peers it saw at start, the member count of the last notification
 * ({@code membersNotified}) and the notification itself; {@code GET /health} answers {@code ok}.
 */
@Command(name = "sample-peer", mixinStandardHelpOptions = true,
    description = "The demo's peer-aware sample service: binds its http port, logs its seeds, registers a membership"
        + " callback with the subscriber (SUBSCRIBER_URL, MDO_REGISTRATION_TOKEN) and logs every signed notification.")
public final class PeerService implements Callable<Integer> {
  @Option(names = "--port", description = "port to bind (default: guestutils' port named http)")
  Integer port;

  @Option(names = "--seeds", split = ",", description = "peers at start, host:port,... (default: guestutils' node list)")
  List<String> givenSeeds;

  private final AtomicReference<JsonNode> lastNotification = new AtomicReference<>();
  private GuestUtils guest;
  private volatile List<String> seeds = List.of();
  /** Set once registration returns; read on the HTTP server's threads. */
  private volatile String secret;

  public static void main(String[] args) {
    System.exit(new CommandLine(new PeerService()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (GuestUtils g = GuestUtils.fromEnvironment()) {
      guest = g;
      run();
    }
    return 0;
  }

  void run() throws Exception {
    String service = guest.getServiceName();
    int bound = port != null ? port : guest.getPort("http");
    HttpServer server = HttpServer.create(new InetSocketAddress(bound), 16);
    server.createContext("/health", exchange -> respond(exchange, 200, "ok"));
    server.createContext("/membership", this::membership);
    server.createContext("/", this::status);
    server.start();
    log("listening on port " + bound);

    seeds = givenSeeds != null ? givenSeeds.stream().filter(s -> !s.isBlank()).toList()
        : guest.getNodeList(service, List.of("http"), 0);
    log("seeds at start: " + (seeds.isEmpty() ? "(none yet: first member)" : String.join(",", seeds)));

    String subscriber = System.getenv("SUBSCRIBER_URL");
    if (subscriber != null) {
      // The address others reach us at: the host's, and the external port of `http` (the bound one unless bridged).
      String url = "http://" + guest.getContainerHostAddress() + ":"
          + guest.getSpecificPort(service, guest.getContainerName(), "http", bound) + "/membership";
      String token = System.getenv("MDO_REGISTRATION_TOKEN"); // the launcher gives every task its service's
      JsonNode registration = new CallbackClient(subscriber, token, Duration.ofSeconds(5))
          .register(service, url, System.getenv("MESOS_TASK_ID"), service);
      secret = registration.path("secret").asText();
      log("registered membership callback " + registration.path("id").asText() + " -> " + url);
    }
    Thread.currentThread().join();
  }

  private void membership(HttpExchange exchange) throws IOException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    if (!"POST".equals(exchange.getRequestMethod())) {
      respond(exchange, 405, "POST only");
      return;
    }
    if (secret == null) {
      // The subscriber notifies as soon as it stores the registration, which can be before its answer (with the
      // secret) reaches us: ask it to retry rather than call a correctly signed notification bad.
      respond(exchange, 503, "registration not finished yet");
      return;
    }
    CallbackSignature.Result check = CallbackSignature.verify(secret,
        exchange.getRequestHeaders().getFirst(CallbackSignature.HEADER), body, Instant.now());
    if (check != CallbackSignature.Result.VALID) {
      log("refused a notification: " + check.description());
      respond(exchange, 401, "bad signature: " + check.description());
      return;
    }
    JsonNode change = RegistryJson.MAPPER.readTree(body);
    lastNotification.set(change);
    log("membership changed: " + change.path("members").size() + " members, added " + addresses(change.path("added"))
        + ", removed " + addresses(change.path("removed")) + " (revision " + change.path("revision").asText() + ")");
    respond(exchange, 200, "ok");
  }

  /** {@code [host:port, ...]} of the instance records in a notification, by their {@code http} port. */
  private static List<String> addresses(JsonNode instances) {
    List<String> out = new java.util.ArrayList<>();
    instances.forEach(i -> out.add(i.path("host").asText() + ":" + i.path("ports").path("http").path("host").asText()));
    return out;
  }

  private void status(HttpExchange exchange) throws IOException {
    ObjectNode status = RegistryJson.MAPPER.createObjectNode()
        .put("service", guest.getServiceName())
        .put("task", System.getenv("MESOS_TASK_ID"));
    status.set("seedsAtStart", RegistryJson.MAPPER.valueToTree(seeds));
    JsonNode last = lastNotification.get();
    status.put("membersNotified", last == null ? 0 : last.path("members").size());
    status.set("lastNotification", last);
    respond(exchange, 200, RegistryJson.MAPPER.writeValueAsString(status));
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void log(String line) {
    System.out.println(Instant.now() + " peer-service: " + line);
  }
}
