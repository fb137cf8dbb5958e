package mdo.devcluster.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import mdo.devcluster.ApiException;
import mdo.devcluster.Json;
import mdo.devcluster.MarathonFlags;
import mdo.devcluster.events.CallbackSubscribers;
import mdo.devcluster.events.EventBus;
import mdo.devcluster.events.EventStreamClient;
import mdo.devcluster.events.Events;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v2/events} as Marathon serves it (API.md §2.1) and the 1.4 {@code /v2/eventSubscriptions}, which
 * answers 400 unless the HTTP callback bus is on ({@code NoopHttpCallbackSubscriptionService@r1.4}).
 *
 * <p>Javalin's own SSE client frames lines with LF; Marathon (Jetty's EventSourceServlet) uses CRLF and blank-line
 * heartbeats, so the stream is written here by hand on the request thread, flushed per event. A client that went
 * away is noticed at the next write (at the latest at the next heartbeat) and dropped.
 */
final class EventRoutes {
  private static final Logger log = LoggerFactory.getLogger(EventRoutes.class);
  private final EventBus bus;
  private final CallbackSubscribers callbacks;
  private final Duration heartbeat;
  private final MarathonFlags flags;
  private final Set<EventStreamClient> streams = new CopyOnWriteArraySet<>();

  EventRoutes(EventBus bus, CallbackSubscribers callbacks, Duration heartbeat, MarathonFlags flags) {
    this.bus = bus;
    this.callbacks = callbacks;
    this.heartbeat = heartbeat;
    this.flags = flags;
  }

  int streamCount() {
    return streams.size();
  }

  /** Ends every open stream (on shutdown). */
  void closeStreams() {
    streams.forEach(EventStreamClient::close);
  }

  void stream(Context ctx) throws IOException {
    // Jetty's EventSourceServlet accepts the stream only when an Accept value equals text/event-stream exactly.
    if (!"text/event-stream".equals(ctx.header("Accept"))) {
      ctx.status(405).contentType("text/plain").result("HTTP method GET is not supported by this URL");
      return;
    }
    EventStreamClient client = new EventStreamClient(ctx.ip(), new HashSet<>(ctx.queryParams("event_type")),
        EventStreamClient.Backpressure.of(flags.version()));
    // Subscribed before the headers go out: once a client sees 200, it misses no event.
    streams.add(client);
    bus.subscribe(client);
    bus.publish(Events.streamAttached(client.remoteAddress()));
    log.info("attached: event stream from {} {}", client.remoteAddress(), ctx.queryParams("event_type"));
    try {
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType("text/event-stream;charset=UTF-8");
      res.setHeader("Connection", "close");
      OutputStream out = res.getOutputStream();
      out.flush();
      client.pump(out, heartbeat);
    } catch (IOException e) {
      log.debug("event stream to {} broke: {}", client.remoteAddress(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      bus.unsubscribe(client);
      streams.remove(client);
      client.close();
      log.info("detached: event stream from {}", client.remoteAddress());
      bus.publish(Events.streamDetached(client.remoteAddress()));
    }
  }

  void subscriptions(Context ctx) {
    requireCallbackBus();
    ObjectNode body = Json.object();
    List<String> urls = callbacks.urls();
    urls.forEach(body.putArray("callbackUrls")::add);
    Http.json(ctx, 200, body);
  }

  void subscribe(Context ctx) {
    requireCallbackBus();
    String url = validUrl(ctx);
    callbacks.add(url);
    ObjectNode event = Events.subscription("subscribe_event", ctx.ip(), url);
    bus.publish(event);
    Http.json(ctx, 200, event);
  }

  void unsubscribe(Context ctx) {
    requireCallbackBus();
    String url = validUrl(ctx);
    callbacks.remove(url);
    ObjectNode event = Events.subscription("unsubscribe_event", ctx.ip(), url);
    bus.publish(event);
    Http.json(ctx, 200, event);
  }

  private void requireCallbackBus() {
    if (!flags.httpCallbacks()) {
      throw ApiException.message(400, "http event callback system is not running on this Marathon instance. Please"
          + " re-start this instance with\n\"--event_subscriber http_callback\".");
    }
  }

  private static String validUrl(Context ctx) {
    String url = ctx.queryParam("callbackUrl");
    String problem = CallbackSubscribers.problem(url);
    if (problem != null) throw ApiException.invalid(List.of(ApiException.Detail.of("/callbackUrl", problem)));
    return url;
  }
}
