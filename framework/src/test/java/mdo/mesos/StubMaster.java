package mdo.mesos;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Headers;
import okio.BufferedSink;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A Mesos master for tests, over real HTTP on loopback, refusing what the real one refuses with its words
 * ({@code src/master/http.cpp} and {@code validation.cpp} at 1.11.0; API.md A1). One framework at a time.
 *
 * <ol>
 *   <li>Serves {@code /api/v1/scheduler} and {@code /master/api/v1/scheduler} (the path a redirect names); 404 else.
 *   <li>Checks in the master's order: 401 without the configured basic credentials; 307 to the leader
 *       ({@code Location: //host:port/master/api/v1/scheduler}) or 503 "No leader elected" when not leading; 405 for
 *       other methods; 400 without {@code Content-Type}; 415 unless it is exactly JSON or protobuf; 400 for a body that
 *       does not parse or validate (missing type, framework id rules, missing sub-message, ACKNOWLEDGE uuid not an
 *       RFC 4122 uuid); 406 for a SUBSCRIBE accepting neither format; 400 for a SUBSCRIBE carrying a stream id;
 *       400 "Framework cannot be found"; 403 "Framework is not subscribed"; 400 without or with another stream id.
 *       Valid calls get 202 and are recorded.
 *   <li>SUBSCRIBE: a new framework gets the recorded id {@value MesosPayloads#RECORDED_FRAMEWORK_ID}; a known id
 *       resumes it, and an open stream of that framework gets ERROR "Framework failed over" and is closed; a removed
 *       id or a configured refusal gets 200 with one ERROR event, then EOF. Otherwise 200 with a fresh
 *       {@code Mesos-Stream-Id}, SUBSCRIBED (recorded, with the configured heartbeat interval), a HEARTBEAT at once and
 *       then one per interval, in the format the request's {@code Accept} asks for.
 *   <li>{@link #emit} writes an event to the open stream, {@link #dropStream} ends it (EOF), {@link #stallStream}
 *       keeps it open but silent until {@link #resumeStream}, {@link #stallNextStream} does so from the start.
 *       TEARDOWN removes the framework.
 *   <li>{@link #next} takes the next recorded request and <b>fails</b> when none arrives in time.
 * </ol>
 */
public final class StubMaster implements AutoCloseable {
  static final String STREAM_ID = SchedulerConnection.STREAM_ID_HEADER;
  private static final String PROTOBUF = ProtobufCodec.MEDIA_TYPE;
  private static final String JSON = JsonCodec.MEDIA_TYPE;
  private static final Object END = new Object();

  /** One request as the master saw it, and how it answered. */
  public record Received(String path, Headers headers, ByteString body, Call call, int status, String answer) {
    String streamId() {
      return headers.get(STREAM_ID);
    }

    String authorization() {
      return headers.get("Authorization");
    }
  }

  private final MockWebServer server = new MockWebServer();
  private final BlockingQueue<Received> unread = new LinkedBlockingQueue<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Set<String> removed = ConcurrentHashMap.newKeySet();
  private volatile String credentials;
  private volatile String leader;
  private volatile boolean leading = true;
  private volatile double heartbeatSeconds = 15;
  private volatile String refusal;
  private volatile MockResponse scripted;
  private volatile boolean stallNext;
  private volatile boolean closed;
  private String frameworkId; // guarded by this
  private Stream stream; // guarded by this

  public StubMaster start() {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return handle(request);
      }
    });
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  StubMaster startHttps(SSLSocketFactory sockets) {
    server.useHttps(sockets);
    server.setProtocols(List.of(okhttp3.Protocol.HTTP_1_1)); // libprocess speaks no HTTP/2
    return start();
  }

  /** The base URL a scheduler is configured with. */
  public String base() {
    String url = server.url("/").toString();
    return url.substring(0, url.length() - 1);
  }

  String hostAndPort() {
    return server.getHostName() + ":" + server.getPort();
  }

  StubMaster requireCredentials(String principal, String secret) {
    credentials = okhttp3.Credentials.basic(principal, secret);
    return this;
  }

  /** This master stops leading: requests are redirected to {@code other}, or answered 503 if it is null. */
  StubMaster follow(StubMaster other) {
    leader = other == null ? null : other.hostAndPort();
    leading = false;
    return this;
  }

  StubMaster heartbeatEvery(Duration interval) {
    heartbeatSeconds = interval.toNanos() / 1e9;
    return this;
  }

  /** Refuses the next subscriptions the way the master refuses a framework: 200, one ERROR event, EOF. */
  StubMaster refuseFrameworks(String message) {
    refusal = message;
    return this;
  }

  /** The next subscription's stream opens (200, headers) but stays silent: no SUBSCRIBED, no heartbeat. */
  StubMaster stallNextStream() {
    stallNext = true;
    return this;
  }

  /** Answers the next SUBSCRIBE with this status and text body instead of checking it. */
  StubMaster answerNextSubscribe(int status, String body) {
    scripted = new MockResponse.Builder().code(status).setHeader("Content-Type", "text/plain; charset=utf-8")
        .body(body).build();
    return this;
  }

  public void emit(Event event) {
    current().items.add(event);
  }

  public void dropStream() {
    current().items.add(END);
  }

  /** The open stream goes silent (no heartbeats either) but stays open; returns it for {@link #resumeStream}. */
  Stream stallStream() {
    Stream s = current();
    s.stalled = true;
    return s;
  }

  /** Ends a stall; what was emitted meanwhile is written now. */
  void resumeStream(Stream s) {
    synchronized (s) {
      s.stalled = false;
      s.notifyAll();
    }
  }

  public synchronized String streamId() {
    return stream == null ? null : stream.id;
  }

  public Received next() throws InterruptedException {
    Received r = unread.poll(10, TimeUnit.SECONDS);
    if (r == null) throw new AssertionError("no request reached the stub master within 10 s; had " + received);
    return r;
  }

  /** The next request of the given call type, skipping others. */
  public Received next(Call.Type type) throws InterruptedException {
    while (true) {
      Received r = next();
      if (r.call() != null && r.call().getType() == type) return r;
    }
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    synchronized (this) {
      if (stream != null) stream.items.add(END);
    }
    server.close();
  }

  private synchronized Stream current() {
    if (stream == null) throw new IllegalStateException("no subscriber stream is open");
    return stream;
  }

  private MockResponse handle(RecordedRequest request) {
    Call call = null;
    MockResponse response;
    try {
      call = parse(request);
      response = answer(request, call);
    } catch (Refusal r) {
      response = text(r.status, r.getMessage());
    }
    String answer = response.getBody() == null || response.getCode() == 200 ? "" : bodyText(response);
    ByteString body = request.getBody() == null ? ByteString.EMPTY : ByteString.copyFrom(request.getBody().toByteArray());
    Received r = new Received(request.getUrl().encodedPath(), request.getHeaders(), body, call, response.getCode(),
        answer);
    received.add(r);
    unread.add(r);
    return response;
  }

  /** Everything up to validation; a Call comes back when the body is one. */
  private Call parse(RecordedRequest request) throws Refusal {
    String path = request.getUrl().encodedPath();
    if (!path.equals("/api/v1/scheduler") && !path.equals("/master/api/v1/scheduler")) throw new Refusal(404, "");
    if (credentials != null && !credentials.equals(request.getHeaders().get("Authorization"))) {
      throw new Refusal(401, "");
    }
    if (!leading) {
      if (leader == null) throw new Refusal(503, "No leader elected");
      throw new Refusal(307, "//" + leader + "/master/api/v1/scheduler");
    }
    if (!"POST".equals(request.getMethod())) throw new Refusal(405, "");
    String type = request.getHeaders().get("Content-Type");
    if (type == null) throw new Refusal(400, "Expecting 'Content-Type' to be present");
    byte[] body = request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
    Call call;
    if (type.equals(PROTOBUF)) {
      try {
        call = new ProtobufCodec<>(Call.getDefaultInstance()).decode(body);
      } catch (MalformedMessageException e) {
        throw new Refusal(400, "Failed to parse body into Call protobuf");
      }
    } else if (type.equals(JSON)) {
      try {
        call = MesosPayloads.CALLS.decode(body);
      } catch (MalformedMessageException e) {
        throw new Refusal(400, "Failed to convert JSON into Call protobuf: " + e.getMessage());
      }
    } else {
      throw new Refusal(415, "Expecting 'Content-Type' of " + JSON + " or " + PROTOBUF);
    }
    String invalid = validate(call);
    if (invalid != null) throw new Refusal(400, "Failed to validate scheduler::Call: " + invalid);
    return call;
  }

  /** validation::scheduler::call::validate at 1.11.0, for the calls mdo makes. */
  static String validate(Call call) {
    if (!call.hasType()) return "Expecting 'type' to be present";
    if (call.getType() == Call.Type.SUBSCRIBE) {
      if (!call.hasSubscribe()) return "Expecting 'subscribe' to be present";
      if (!call.getSubscribe().getFrameworkInfo().getId().equals(call.getFrameworkId())) {
        return "'framework_id' differs from 'subscribe.framework_info.id'";
      }
      return null;
    }
    if (!call.hasFrameworkId()) return "Expecting 'framework_id' to be present";
    return switch (call.getType()) {
      case ACCEPT -> call.hasAccept() ? null : "Expecting 'accept' to be present";
      case DECLINE -> call.hasDecline() ? null : "Expecting 'decline' to be present";
      case KILL -> call.hasKill() ? null : "Expecting 'kill' to be present";
      case RECONCILE -> call.hasReconcile() ? null : "Expecting 'reconcile' to be present";
      case REQUEST -> call.hasRequest() ? null : "Expecting 'request' to be present";
      case ACKNOWLEDGE -> !call.hasAcknowledge() ? "Expecting 'acknowledge' to be present"
          : validUuid(call.getAcknowledge().getUuid()) ? null : "Not a valid UUID";
      default -> null;
    };
  }

  /** stout's UUID::fromBytes: 16 bytes with a known RFC 4122 version (1-5). */
  private static boolean validUuid(ByteString uuid) {
    if (uuid.size() != 16) return false;
    int version = (uuid.byteAt(6) & 0xf0) >> 4;
    return version >= 1 && version <= 5;
  }

  private MockResponse answer(RecordedRequest request, Call call) throws Refusal {
    Headers headers = request.getHeaders();
    if (call.getType() == Call.Type.SUBSCRIBE) {
      MockResponse script = scripted;
      if (script != null) {
        scripted = null;
        return script;
      }
      String accept = headers.get("Accept");
      String format = accept == null || accept.contains(JSON) || accept.contains("*/*") ? JSON
          : accept.contains(PROTOBUF) ? PROTOBUF : null;
      if (format == null) throw new Refusal(406, "Expecting 'Accept' to allow '" + PROTOBUF + "' or '" + JSON + "'");
      if (headers.get(STREAM_ID) != null) {
        throw new Refusal(400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
      }
      return subscribe(call, format);
    }
    synchronized (this) {
      if (frameworkId == null || !frameworkId.equals(call.getFrameworkId().getValue())) {
        throw new Refusal(400, "Framework cannot be found");
      }
      if (stream == null) throw new Refusal(403, "Framework is not subscribed");
      String id = headers.get(STREAM_ID);
      if (id == null) throw new Refusal(400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
      if (!id.equals(stream.id)) {
        throw new Refusal(400, "The stream ID '" + id + "' included in this request didn't match the stream ID"
            + " currently associated with framework ID " + frameworkId);
      }
      if (call.getType() == Call.Type.TEARDOWN) {
        removed.add(frameworkId);
        stream.items.add(END);
        stream = null;
        frameworkId = null;
      }
    }
    return new MockResponse.Builder().code(202).body("").build();
  }

  private MockResponse subscribe(Call call, String format) {
    String requested = call.hasFrameworkId() ? call.getFrameworkId().getValue() : null;
    Stream s = new Stream(UUID.randomUUID().toString(), format);
    s.stalled = stallNext;
    stallNext = false;
    String refused = refusal;
    if (refused == null && requested != null && removed.contains(requested)) refused = "Framework has been removed";
    if (refused != null) {
      s.items.add(MesosPayloads.error(refused));
      s.items.add(END);
    } else {
      synchronized (this) {
        if (stream != null) {
          stream.items.add(MesosPayloads.error(SubscriptionRefusedException.FAILED_OVER));
          stream.items.add(END);
        }
        frameworkId = requested != null ? requested : MesosPayloads.RECORDED_FRAMEWORK_ID;
        stream = s;
      }
      s.items.add(MesosPayloads.subscribed(frameworkId, heartbeatSeconds));
      s.items.add(heartbeat()); // the heartbeater starts with no delay (framework.cpp)
    }
    return new MockResponse.Builder().code(200)
        .setHeader("Content-Type", format)
        .setHeader(STREAM_ID, s.id)
        .onResponseEnd(new SocketEffect.CloseSocket())
        .body(s)
        .build();
  }

  private static Event heartbeat() {
    return MesosPayloads.heartbeat();
  }

  private static MockResponse text(int status, String body) {
    MockResponse.Builder b = new MockResponse.Builder().code(status).body(body);
    if (status == 307) return b.setHeader("Location", body).body("").build();
    if (status == 401) b.setHeader("WWW-Authenticate", "Basic realm=\"mesos\"");
    return b.setHeader("Content-Type", "text/plain; charset=utf-8").build();
  }

  private static String bodyText(MockResponse response) {
    try {
      okio.Buffer buffer = new okio.Buffer();
      response.getBody().writeTo(buffer);
      return buffer.readUtf8();
    } catch (IOException e) {
      return "";
    }
  }

  /** The event stream of one subscription: RecordIO records of events, heartbeats while idle. */
  final class Stream implements MockResponseBody {
    final String id;
    final String format;
    final BlockingDeque<Object> items = new LinkedBlockingDeque<>();
    volatile boolean stalled;

    Stream(String id, String format) {
      this.id = id;
      this.format = format;
    }

    @Override
    public long getContentLength() {
      return -1;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      MessageCodec<Event> codec = format.equals(PROTOBUF) ? new ProtobufCodec<>(Event.getDefaultInstance())
          : MesosPayloads.EVENTS;
      long interval = (long) (heartbeatSeconds * 1000);
      try {
        while (!closed) {
          if (stalled) { // a partition: nothing is written, events wait until resumed
            synchronized (this) {
              wait(50);
            }
            continue;
          }
          Object item = items.poll(interval, TimeUnit.MILLISECONDS);
          if (stalled) { // stalled while waiting: keep the item for after the partition
            if (item != null) items.addFirst(item);
            continue;
          }
          if (item == END) return;
          Event event = item == null ? heartbeat() : (Event) item;
          byte[] record = codec.encode(event);
          sink.writeUtf8(record.length + "\n").write(record);
          sink.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        synchronized (StubMaster.this) {
          if (stream == this) stream = null; // the connection broke: the framework is disconnected
        }
      }
    }
  }

  private static final class Refusal extends Exception {
    final int status;

    Refusal(int status, String message) {
      super(message);
      this.status = status;
    }
  }
}
