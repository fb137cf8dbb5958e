package mdo.devcluster.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.mesos.v1.Protos.AgentID;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.FrameworkID;
import org.apache.mesos.v1.Protos.FrameworkInfo;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.OfferID;
import org.apache.mesos.v1.Protos.TaskID;
import org.apache.mesos.v1.Protos.TaskInfo;
import org.apache.mesos.v1.Protos.TaskState;
import org.apache.mesos.v1.Protos.TaskStatus;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * A scheduler for tests, written against the wire only: it subscribes over HTTP, reads the RecordIO stream byte by
 * byte on its own thread, and posts calls with the stream id. JSON goes through protobuf's own {@code JsonFormat}
 * (strict parsing: an event field the proto does not have fails the test), never through the master's codec.
 */
final class TestScheduler implements AutoCloseable {
  static final MediaType PROTOBUF = MediaType.get("application/x-protobuf");
  static final MediaType JSON = MediaType.get("application/json");
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
      .omittingInsignificantWhitespace();

  /** An answer; two are equal when status and body are (the headers are for asserting on separately). */
  record Reply(int code, String body, okhttp3.Headers headers) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Reply r && r.code == code && r.body.equals(body);
    }

    @Override
    public int hashCode() {
      return code * 31 + body.hashCode();
    }
  }

  final String master;
  final boolean json;
  final OkHttpClient http;
  final Response stream;
  final String streamId;
  final FrameworkID frameworkId;
  final FrameworkInfo info;
  /** Every event in arrival order, heartbeats included. */
  final List<Event> all = new ArrayList<>();
  /** Events not taken yet by a test, heartbeats left out. */
  private final LinkedList<Event> pending = new LinkedList<>();
  private final java.util.Set<ByteString> acknowledged = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Call call;
  private final Thread reader;
  private volatile boolean ended;

  private TestScheduler(String master, boolean json, OkHttpClient http, Call call, Response stream,
                        FrameworkInfo info) {
    this.master = master;
    this.json = json;
    this.http = http;
    this.call = call;
    this.stream = stream;
    this.streamId = stream.header("Mesos-Stream-Id");
    this.reader = new Thread(this::read, "test-scheduler-stream");
    this.reader.setDaemon(true);
    this.reader.start();
    Event subscribed = take(e -> e.getType() == Event.Type.SUBSCRIBED || e.getType() == Event.Type.ERROR);
    assertThat(subscribed.getType()).as("first event, got %s", subscribed).isEqualTo(Event.Type.SUBSCRIBED);
    this.frameworkId = subscribed.getSubscribed().getFrameworkId();
    this.info = info.toBuilder().setId(frameworkId).build();
  }

  static TestScheduler subscribe(String master, FrameworkInfo info, boolean json, OkHttpClient http) {
    var subscribeCall = org.apache.mesos.v1.scheduler.Protos.Call.newBuilder()
        .setType(org.apache.mesos.v1.scheduler.Protos.Call.Type.SUBSCRIBE)
        .setSubscribe(org.apache.mesos.v1.scheduler.Protos.Call.Subscribe.newBuilder().setFrameworkInfo(info));
    if (info.hasId()) subscribeCall.setFrameworkId(info.getId());
    Call call = subscribeCall(master, subscribeCall.build(), json, http);
    Response response = execute(call);
    assertThat(response.code()).as("SUBSCRIBE answer").isEqualTo(200);
    return new TestScheduler(master, json, http, call, response, info);
  }

  /** Opens a SUBSCRIBE and returns the streaming response, whatever it is. */
  static Response open(String master, org.apache.mesos.v1.scheduler.Protos.Call subscribe, boolean json,
                       OkHttpClient http) {
    return execute(subscribeCall(master, subscribe, json, http));
  }

  private static Call subscribeCall(String master, org.apache.mesos.v1.scheduler.Protos.Call subscribe, boolean json,
      OkHttpClient http) {
    Request request = new Request.Builder().url(master + "/api/v1/scheduler")
        .header("Accept", json ? "application/json" : "application/x-protobuf")
        .post(body(subscribe, json)).build();
    return http.newBuilder().readTimeout(Duration.ZERO).build().newCall(request);
  }

  private static Response execute(Call call) {
    try {
      return call.execute();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static RequestBody body(org.apache.mesos.v1.scheduler.Protos.Call call, boolean json) {
    try {
      // byte[] bodies: OkHttp adds "; charset=utf-8" to a String body's JSON type, which the master refuses (415).
      return json ? RequestBody.create(PRINTER.print(call).getBytes(StandardCharsets.UTF_8), JSON)
          : RequestBody.create(call.toByteArray(), PROTOBUF);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RecordIO, read as bytes: decimal length, newline, exactly that many bytes. */
  static byte[] readRecord(InputStream in) throws IOException {
    long length = 0;
    int digits = 0;
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) throw new EOFException();
      if (b < '0' || b > '9') throw new IOException("bad RecordIO header byte " + b);
      length = length * 10 + (b - '0');
      digits++;
    }
    if (digits == 0) throw new IOException("empty RecordIO header");
    byte[] record = in.readNBytes((int) length);
    if (record.length < length) throw new EOFException();
    return record;
  }

  private void read() {
    try (InputStream in = stream.body().byteStream()) {
      while (true) {
        byte[] record = readRecord(in);
        Event event = parse(record);
        synchronized (this) {
          all.add(event);
          if (event.getType() != Event.Type.HEARTBEAT) pending.add(event);
          notifyAll();
        }
      }
    } catch (IOException e) {
      // the stream ended (closed by the master, or by us)
    } finally {
      ended = true;
      synchronized (this) {
        notifyAll();
      }
    }
  }

  Event parse(byte[] record) throws IOException {
    if (!json) return Event.parseFrom(record);
    Event.Builder event = Event.newBuilder();
    JsonFormat.parser().merge(new String(record, StandardCharsets.UTF_8), event);
    return event.build();
  }

  /** Takes the first pending event that matches, waiting up to 20 s for it. */
  synchronized Event take(Predicate<Event> match) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      for (Iterator<Event> it = pending.iterator(); it.hasNext(); ) {
        Event e = it.next();
        if (match.test(e)) {
          it.remove();
          return e;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0 || (ended && pending.stream().noneMatch(match))) {
        throw new AssertionError("no matching event" + (ended ? " (stream ended)" : " within 20 s") + "; pending: "
            + pending);
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** True when a matching event arrives within {@code window} (it stays pending). */
  synchronized boolean arrives(Predicate<Event> match, Duration window) {
    long deadline = System.nanoTime() + window.toNanos();
    while (pending.stream().noneMatch(match)) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || ended) return false;
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  synchronized List<Event> pending() {
    return List.copyOf(pending);
  }

  synchronized int heartbeats() {
    return (int) all.stream().filter(e -> e.getType() == Event.Type.HEARTBEAT).count();
  }

  /** Waits until the master closed the stream. */
  void awaitEnd() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    synchronized (this) {
      while (!ended && System.nanoTime() < deadline) {
        try {
          wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    assertThat(ended).as("the master closed the stream").isTrue();
  }

  boolean ended() {
    return ended;
  }

  Offer offer() {
    return take(e -> e.getType() == Event.Type.OFFERS).getOffers().getOffers(0);
  }

  /**
   * The first offer with at least these cpus and mem; smaller ones are declined for no time, as a scheduler would. An
   * earlier test's tasks may still be ending: their resources come back as offers of their own, and the master offers
   * what was declined again, whole, with them.
   */
  Offer offer(double cpus, double mem) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<Offer> declined = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Offer chosen = null;
      for (Offer o : take(e -> e.getType() == Event.Type.OFFERS).getOffers().getOffersList()) {
        if (chosen == null && scalar(o, "cpus") >= cpus && scalar(o, "mem") >= mem) {
          chosen = o;
        } else {
          decline(o, 0);
          declined.add(o);
        }
      }
      if (chosen != null) return chosen;
    }
    throw new AssertionError("no offer of " + cpus + " cpus and " + mem + " mem within 20 s; declined: " + declined);
  }

  private static double scalar(Offer offer, String name) {
    return offer.getResourcesList().stream().filter(r -> r.getName().equals(name))
        .mapToDouble(r -> r.getScalar().getValue()).sum();
  }

  /**
   * The next update of the task in this state. Resends of updates already acknowledged are skipped: the agent
   * resends until its acknowledgement arrives, so a duplicate may be on its way while the test acknowledges.
   */
  TaskStatus update(String taskId, TaskState state) {
    return take(e -> fresh(e, taskId) && e.getUpdate().getStatus().getState() == state).getUpdate().getStatus();
  }

  /** The next update of this task, whatever its state (resends of acknowledged ones skipped). */
  TaskStatus update(String taskId) {
    return take(e -> fresh(e, taskId)).getUpdate().getStatus();
  }

  private boolean fresh(Event e, String taskId) {
    if (e.getType() != Event.Type.UPDATE) return false;
    TaskStatus status = e.getUpdate().getStatus();
    return status.getTaskId().getValue().equals(taskId) && !(status.hasUuid() && acknowledged.contains(status
        .getUuid()));
  }

  // ------------------------------------------------------------------------------------------------ calls

  org.apache.mesos.v1.scheduler.Protos.Call.Builder newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type type) {
    return org.apache.mesos.v1.scheduler.Protos.Call.newBuilder().setFrameworkId(frameworkId).setType(type);
  }

  Reply post(org.apache.mesos.v1.scheduler.Protos.Call call) {
    return post(call, Map.of("Mesos-Stream-Id", streamId));
  }

  Reply post(org.apache.mesos.v1.scheduler.Protos.Call call, Map<String, String> headers) {
    Request.Builder request = new Request.Builder().url(master + "/api/v1/scheduler").post(body(call, json));
    headers.forEach(request::header);
    return execute(http, request.build());
  }

  static Reply execute(OkHttpClient http, Request request) {
    try (Response response = http.newCall(request).execute()) {
      return new Reply(response.code(), response.body().string(), response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Reply accept(Offer offer, Filters filters, TaskInfo... tasks) {
    return accept(List.of(offer.getId()), filters, tasks);
  }

  Reply accept(List<OfferID> offers, Filters filters, TaskInfo... tasks) {
    var accept = org.apache.mesos.v1.scheduler.Protos.Call.Accept.newBuilder().addAllOfferIds(offers)
        .addOperations(Offer.Operation.newBuilder().setType(Offer.Operation.Type.LAUNCH)
            .setLaunch(Offer.Operation.Launch.newBuilder().addAllTaskInfos(List.of(tasks))));
    if (filters != null) accept.setFilters(filters);
    Reply reply = post(newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type.ACCEPT).setAccept(accept).build());
    assertThat(reply.code()).as("ACCEPT answer: %s", reply.body()).isEqualTo(202);
    return reply;
  }

  Reply decline(Offer offer, double refuseSeconds) {
    return post(newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type.DECLINE)
        .setDecline(org.apache.mesos.v1.scheduler.Protos.Call.Decline.newBuilder().addOfferIds(offer.getId())
            .setFilters(Filters.newBuilder().setRefuseSeconds(refuseSeconds))).build());
  }

  Reply ack(TaskStatus status) {
    assertThat(status.hasUuid()).as("only updates with a uuid are acknowledged: %s", status).isTrue();
    acknowledged.add(status.getUuid());
    Reply reply = post(newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type.ACKNOWLEDGE)
        .setAcknowledge(org.apache.mesos.v1.scheduler.Protos.Call.Acknowledge.newBuilder()
            .setAgentId(status.getAgentId()).setTaskId(status.getTaskId()).setUuid(status.getUuid())).build());
    assertThat(reply.code()).as("ACKNOWLEDGE answer: %s", reply.body()).isEqualTo(202);
    return reply;
  }

  /** Takes the next update of the task in this state and acknowledges it. */
  TaskStatus ackUpdate(String taskId, TaskState state) {
    TaskStatus status = update(taskId, state);
    ack(status);
    return status;
  }

  Reply kill(String taskId, AgentID agent) {
    var kill = org.apache.mesos.v1.scheduler.Protos.Call.Kill.newBuilder().setTaskId(TaskID.newBuilder()
        .setValue(taskId));
    if (agent != null) kill.setAgentId(agent);
    return post(newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type.KILL).setKill(kill).build());
  }

  Reply reconcile(AgentID agent, String... taskIds) {
    var reconcile = org.apache.mesos.v1.scheduler.Protos.Call.Reconcile.newBuilder();
    for (String id : taskIds) {
      var t = org.apache.mesos.v1.scheduler.Protos.Call.Reconcile.Task.newBuilder().setTaskId(TaskID.newBuilder()
          .setValue(id));
      if (agent != null) t.setAgentId(agent);
      reconcile.addTasks(t);
    }
    return post(newCall(org.apache.mesos.v1.scheduler.Protos.Call.Type.RECONCILE).setReconcile(reconcile).build());
  }

  static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /**
   * Drops the subscription connection, as a crashed scheduler would. The call is cancelled and the reader closes its
   * own stream: okio's buffers are not for two threads, and closing them under a reading thread broke its read.
   */
  @Override
  public void close() {
    call.cancel();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (reader.isAlive()) throw new AssertionError("the stream reader did not stop within 10 s of close");
  }
}
