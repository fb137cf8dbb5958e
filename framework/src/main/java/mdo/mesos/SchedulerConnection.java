package mdo.mesos;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import mdo.command.DaemonThreads;
import mdo.mesos.ConnectionStatus.State;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A framework's connection to the Mesos master over the v1 scheduler HTTP API (API.md §1): one long SUBSCRIBE
 * request whose response is the RecordIO event stream, and short calls beside it.
 *
 * <ol>
 *   <li>SUBSCRIBE carries the framework id from the {@link FrameworkIdStore} when there is one, a real failover
 *       timeout, {@code checkpoint: true}, MULTI_ROLE and PARTITION_AWARE. The id the master assigns is saved before
 *       SUBSCRIBED reaches the listener.
 *   <li>Every other call carries the {@code Mesos-Stream-Id} of the SUBSCRIBE response that is open now, goes to the
 *       master serving that stream, and must be answered 202; anything else is a typed {@link MesosException}. Calls
 *       are never retried here (a repeated ACCEPT would reuse its offers).
 *   <li>A 307 names the leader ({@code //host:port/master/api/v1/scheduler}), followed with the same body; 503,
 *       connection errors and broken streams move on to the next master, with one exponential backoff (Failsafe)
 *       between failed attempts. A stream that was up is re-subscribed at once.
 *   <li>The stream is dead after {@code missedHeartbeats} heartbeat intervals of silence (the watchdog cancels it).
 *   <li>An ERROR event or a 4xx to SUBSCRIBE stops the connection for good ({@link SchedulerListener#onFailed}):
 *       re-subscribing after "Framework failed over" would steal the framework back from the new scheduler.
 *   <li>Basic auth is sent only to the configured masters; {@code https} masters are verified against the CA file.
 * </ol>
 */
public final class SchedulerConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SchedulerConnection.class);
  public static final String STREAM_ID_HEADER = "Mesos-Stream-Id";
  static final int MAX_REDIRECTS = 3;
  static final Duration DEFAULT_HEARTBEAT = Duration.ofSeconds(15);
  private static final int MAX_ERROR_TEXT = 1000;

  private final MesosSettings settings;
  private final FrameworkIdStore ids;
  private final Masters masters;
  private final OkHttpClient http;
  private final OkHttpClient streaming;
  private final MessageCodec<Call> calls;
  private final MessageCodec<Event> events;
  private final MediaType mediaType;
  private final EventDispatcher dispatcher;
  private final HeartbeatWatchdog watchdog = new HeartbeatWatchdog();
  private final RetryPolicy<Object> retry;
  private final AtomicReference<Session> session = new AtomicReference<>();
  private final AtomicLong subscriptions = new AtomicLong();
  private final AtomicLong eventsReceived = new AtomicLong();
  private volatile State state = State.NEW;
  private volatile String lastError;
  private volatile String frameworkId;
  private volatile boolean suppressed;
  private volatile okhttp3.Call streamCall;
  private Thread thread;

  /** The subscription calls go with: where, under which stream id, for which framework. */
  private record Session(HttpUrl master, String streamId, FrameworkID frameworkId) {}

  /** An open SUBSCRIBE response whose SUBSCRIBED event has been handled. */
  private record OpenStream(Session session, Response response, EventStreamReader<Event> reader) {}

  public SchedulerConnection(MesosSettings settings, FrameworkIdStore ids, SchedulerListener listener) {
    this.settings = settings;
    this.ids = ids;
    this.masters = new Masters(settings.masters());
    this.http = MesosHttp.client(settings, masters);
    this.streaming = MesosHttp.streaming(http);
    this.calls = settings.wireFormat().codec(Call.getDefaultInstance());
    this.events = settings.wireFormat().codec(Event.getDefaultInstance());
    this.mediaType = MediaType.get(calls.mediaType());
    this.dispatcher = new EventDispatcher(listener);
    this.retry = RetryPolicy.builder()
        .handleIf(e -> !(e instanceof SubscriptionRefusedException))
        .abortIf((result, failure) -> state == State.CLOSED)
        .withBackoff(settings.backoffMin(), settings.backoffMax())
        .withJitter(0.25) // standby schedulers and restarts must not hit a new leader in lockstep
        .withMaxRetries(-1)
        .onFailedAttempt(e -> {
          lastError = e.getLastException().getMessage();
          masters.failOver();
        })
        .onRetryScheduled(e -> log.warn("subscribe failed: {}; retrying in {} ms on {}",
            e.getLastException().getMessage(), e.getDelay().toMillis(), masters.current()))
        .build();
  }

  /** Subscribes in the background; events then flow to the listener until {@link #close()} or a refusal. */
  public synchronized void start() {
    if (thread != null) throw new IllegalStateException("already started");
    state = State.CONNECTING;
    thread = DaemonThreads.create("mesos-subscription", this::run);
    thread.start();
  }

  public ConnectionStatus status() {
    Session s = session.get();
    return new ConnectionStatus(state, (s != null ? s.master() : masters.current()).toString(), frameworkId,
        subscriptions.get(), eventsReceived.get(), dispatcher.backlog(), dispatcher.failures(), lastError);
  }

  /** Launches (or runs other operations) with the given offers, all of one agent; unused resources are declined. */
  public void accept(List<OfferID> offers, List<Offer.Operation> operations, double refuseSeconds) {
    if (offers.isEmpty()) throw new IllegalArgumentException("ACCEPT needs at least one offer");
    send(SchedulerCalls.accept(offers, operations, refuseSeconds));
  }

  /** Declines offers; the master will not offer the same resources again for {@code refuseSeconds}. */
  public void decline(List<OfferID> offers, double refuseSeconds) {
    if (offers.isEmpty()) throw new IllegalArgumentException("DECLINE needs at least one offer");
    send(SchedulerCalls.decline(offers, refuseSeconds));
  }

  public void kill(TaskID task, AgentID agent) {
    send(SchedulerCalls.kill(task, agent));
  }

  /**
   * Acknowledges a status update. Only updates carrying a uuid may be acknowledged: reconciliation answers and
   * master-generated updates have none, and acknowledging them is a 400 (API.md §1.10).
   */
  public void acknowledge(TaskStatus status) {
    if (!status.hasUuid() || !status.hasAgentId()) {
      throw new IllegalArgumentException("status update of task " + status.getTaskId().getValue()
          + " has no " + (status.hasUuid() ? "agent_id" : "uuid") + ": it must not be acknowledged");
    }
    send(SchedulerCalls.acknowledge(status.getAgentId(), status.getTaskId(), status.getUuid()));
  }

  /** Explicit reconciliation of these tasks (give their agents, API.md A8); an empty list asks for every task. */
  public void reconcile(List<Call.Reconcile.Task> tasks) {
    send(SchedulerCalls.reconcile(tasks));
  }

  /** No more offers for our role; re-stated in every re-subscribe until {@link #revive()}. */
  public void suppress() {
    send(SchedulerCalls.suppress(settings.role()));
    suppressed = true;
  }

  /** Offers again for our role, and the filters of earlier DECLINEs are cleared. */
  public void revive() {
    send(SchedulerCalls.revive(settings.role()));
    suppressed = false;
  }

  /** Removes the framework and kills all its tasks. Its id can never subscribe again. */
  public void teardown() {
    send(SchedulerCalls.teardown());
  }

  /** Stops the subscription and the threads; the tasks keep running for the failover timeout. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      if (state == State.CLOSED) return;
      state = State.CLOSED;
      t = thread;
    }
    session.set(null);
    okhttp3.Call call = streamCall;
    if (call != null) call.cancel();
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    watchdog.close();
    dispatcher.close();
    http.connectionPool().evictAll();
  }

  private void run() {
    while (state != State.CLOSED) {
      try {
        OpenStream stream = Failsafe.with(retry).get(this::subscribeOnce);
        readUntilLost(stream);
      } catch (SubscriptionRefusedException e) {
        fail(e);
        return;
      } catch (FailsafeException | MesosException e) { // interrupted or aborted by close()
        if (state != State.CLOSED) log.error("subscription loop stopped unexpectedly; restarting it", e);
      } catch (RuntimeException e) {
        lastError = e.toString();
        log.error("subscription loop failed; re-subscribing", e);
      }
    }
  }

  /** Changes the state unless the connection was closed meanwhile. */
  private synchronized boolean moveTo(State next) {
    if (state == State.CLOSED) return false;
    state = next;
    return true;
  }

  private void fail(SubscriptionRefusedException e) {
    if (!moveTo(State.FAILED)) return;
    lastError = e.getMessage();
    session.set(null);
    log.error("stopped: {}", e.getMessage());
    dispatcher.submit("refusal", l -> l.onFailed(e));
  }

  /** One attempt: SUBSCRIBE to the current master (following redirects) until SUBSCRIBED has been handled. */
  private OpenStream subscribeOnce() {
    if (state == State.CLOSED) throw new MasterUnavailableException("connection closed");
    Optional<String> stored = ids.load();
    String id = stored.orElse(frameworkId);
    byte[] body = calls.encode(SchedulerCalls.subscribe(settings, id, suppressed));
    HttpUrl url = masters.current();
    for (int hop = 0; ; hop++) {
      Request request = new Request.Builder().url(url).post(RequestBody.create(body, mediaType))
          .header("Accept", events.mediaType()).build();
      okhttp3.Call call = streaming.newCall(request);
      streamCall = call;
      watchdog.arm(call, settings.requestTimeout(), "SUBSCRIBED from " + url);
      if (state == State.CLOSED) call.cancel();
      Response response;
      try {
        response = call.execute();
      } catch (IOException e) {
        String reason = lossReason(e);
        watchdog.disarm();
        throw new MasterUnavailableException("cannot subscribe at " + url + ": " + reason, e);
      }
      if (response.code() == 200) return open(url, response, stored.orElse(null));
      watchdog.disarm();
      String text = errorText(response);
      response.close();
      int code = response.code();
      if (code == 307) {
        HttpUrl leader = Masters.redirectTarget(url, response.header("Location"));
        if (leader == null) {
          throw new MasterUnavailableException(url + " redirected (307) to an unusable Location '"
              + response.header("Location") + "'");
        }
        if (hop >= MAX_REDIRECTS) {
          throw new MasterUnavailableException("more than " + MAX_REDIRECTS + " redirects from " + url);
        }
        log.info("redirected: {} is not leading; subscribing at {}", url, leader);
        masters.leaderIs(leader);
        url = leader;
      } else if (code >= 500 || code / 100 == 3) {
        throw new MasterUnavailableException(url + " answered HTTP " + code + ": " + text);
      } else {
        throw new SubscriptionRefusedException("Mesos master " + url + " refused SUBSCRIBE (HTTP " + code + "): "
            + text, code);
      }
    }
  }

  /** The 200 answer: stream id, then the first event, which must be SUBSCRIBED (or an ERROR refusing us). */
  private OpenStream open(HttpUrl url, Response response, String storedId) {
    try {
      String streamId = response.header(STREAM_ID_HEADER);
      if (streamId == null || streamId.isBlank()) {
        throw new MasterUnavailableException(url + " answered SUBSCRIBE without a " + STREAM_ID_HEADER + " header");
      }
      String contentType = response.header("Content-Type");
      if (contentType == null || !contentType.startsWith(events.mediaType())) {
        throw new MasterUnavailableException(url + " streamed '" + contentType + "', not " + events.mediaType());
      }
      EventStreamReader<Event> reader =
          new EventStreamReader<>(response.body().byteStream(), events, new RecordIoDecoder());
      Event first = reader.next();
      if (first == null) throw new MasterUnavailableException(url + " ended the stream before SUBSCRIBED");
      eventsReceived.incrementAndGet();
      if (first.getType() == Event.Type.ERROR) {
        dispatcher.submit("ERROR", l -> l.onEvent(first));
        throw new SubscriptionRefusedException("Mesos master " + url + " refused the framework: "
            + first.getError().getMessage(), 200);
      }
      if (first.getType() != Event.Type.SUBSCRIBED) {
        throw new MasterUnavailableException(url + " sent " + first.getType() + " before SUBSCRIBED");
      }
      FrameworkID assigned = first.getSubscribed().getFrameworkId();
      frameworkId = assigned.getValue();
      if (!assigned.getValue().equals(storedId)) ids.save(assigned.getValue());
      double seconds = first.getSubscribed().getHeartbeatIntervalSeconds();
      Duration heartbeat = seconds > 0 ? Duration.ofNanos((long) (seconds * 1e9)) : DEFAULT_HEARTBEAT;
      watchdog.retime(heartbeat.multipliedBy(settings.missedHeartbeats()),
          "a HEARTBEAT (every " + heartbeat.toMillis() + " ms) from " + url);
      Session s = new Session(url, streamId, assigned);
      masters.leaderIs(url);
      synchronized (this) {
        if (state == State.CLOSED) throw new MasterUnavailableException("connection closed");
        state = State.SUBSCRIBED;
        session.set(s);
      }
      subscriptions.incrementAndGet();
      lastError = null;
      log.info("subscribed: framework {} at {} (stream {})", assigned.getValue(), url, streamId);
      dispatcher.submit("SUBSCRIBED", l -> l.onEvent(first));
      return new OpenStream(s, response, reader);
    } catch (IOException e) {
      String reason = lossReason(e);
      response.close();
      watchdog.disarm();
      throw new MasterUnavailableException("lost " + url + " before SUBSCRIBED: " + reason, e);
    } catch (RuntimeException e) {
      response.close();
      watchdog.disarm();
      throw e;
    }
  }

  /** Hands events to the listener until the stream ends; ERROR ends the connection. */
  private void readUntilLost(OpenStream stream) {
    String reason;
    try (Response response = stream.response()) {
      Event event;
      while ((event = stream.reader().next()) != null) {
        watchdog.touch();
        eventsReceived.incrementAndGet();
        if (!event.hasType() || event.getType() == Event.Type.UNKNOWN) {
          log.debug("ignored: an event type this Mesos version does not know");
          continue;
        }
        Event e = event;
        dispatcher.submit(e.getType().name(), l -> l.onEvent(e));
        if (e.getType() == Event.Type.ERROR) {
          throw new SubscriptionRefusedException("Mesos master " + stream.session().master() + " sent ERROR: "
              + e.getError().getMessage(), 200);
        }
      }
      reason = "the master ended the stream";
    } catch (IOException e) {
      reason = lossReason(e);
    } finally {
      watchdog.disarm();
      session.compareAndSet(stream.session(), null);
      streamCall = null;
    }
    if (!moveTo(State.CONNECTING)) return;
    lastError = reason;
    String why = reason;
    log.warn("disconnected: {} ({}); re-subscribing", stream.session().master(), reason);
    dispatcher.submit("disconnect", l -> l.onDisconnected(why));
  }

  private void send(Call call) {
    Session s = session.get();
    if (s == null) throw new NotSubscribedException(call.getType(), state.name().toLowerCase());
    Call full = call.toBuilder().setFrameworkId(s.frameworkId()).build();
    Request request = new Request.Builder().url(s.master()).post(RequestBody.create(calls.encode(full), mediaType))
        .header(STREAM_ID_HEADER, s.streamId()).build();
    try (Response response = http.newCall(request).execute()) {
      int code = response.code();
      if (code == 202 || code == 200) {
        if (log.isDebugEnabled()) log.debug("sent: {}", calls.show(full));
        return;
      }
      String text = errorText(response);
      if (code == 307) {
        throw new MasterUnavailableException(s.master() + " no longer leads (307 to " + response.header("Location")
            + "); " + call.getType() + " not sent, the subscription will move to the new leader");
      }
      if (code >= 500) {
        throw new MasterUnavailableException(s.master() + " answered " + call.getType() + " with HTTP " + code + ": "
            + text);
      }
      throw new MesosCallRejectedException(call.getType(), s.master().toString(), code, text);
    } catch (IOException e) {
      throw new MasterUnavailableException("cannot send " + call.getType() + " to " + s.master() + ": " + describe(e),
          e);
    }
  }

  /** The master's error body (plain text), with a hint for 401. */
  private String errorText(Response response) {
    String text;
    try {
      text = response.body().string().strip();
    } catch (IOException e) {
      text = "";
    }
    if (text.length() > MAX_ERROR_TEXT) text = text.substring(0, MAX_ERROR_TEXT) + "...";
    if (text.isEmpty()) text = "(no body)";
    if (response.code() == 401) {
      HttpUrl url = response.request().url();
      text += !settings.authenticates() ? "; the master requires authentication: configure a principal and secret"
          : !masters.isConfigured(url) ? "; credentials are sent only to the configured masters, and "
              + url.host() + ":" + url.port() + " is not one of them"
          : "; check the principal and secret";
    }
    return text;
  }

  private String lossReason(IOException e) {
    String fired = watchdog.fired();
    if (fired != null) return fired;
    if (state == State.CLOSED) return "connection closed";
    return describe(e);
  }

  private static String describe(IOException e) {
    String what = e instanceof InterruptedIOException ? "timed out" : e.getClass().getSimpleName();
    return e.getMessage() == null ? what : what + ": " + e.getMessage();
  }
}
