package mdo.subscriber.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.javalin.Javalin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mdo.guestutils.CallbackSignature;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;
import mdo.command.DaemonThreads;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Registrations over real HTTP, stored in a real etcd, delivered to real receivers. */
class CallbackServiceTest {
  static final String TOKEN = "test-token-" + UUID.randomUUID();

  final String env = "cb" + UUID.randomUUID().toString().substring(0, 8);
  final List<AutoCloseable> cleanup = new ArrayList<>();
  final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  Client etcd;
  CallbackService callbacks;
  Javalin app;
  MockWebServer receiver;

  CallbackSettings settings = CallbackSettings.defaults().withToken(TOKEN).withAllowLoopback(true)
      .withDelivery(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(200), 5)
      .withTiming(Duration.ofMillis(50), Duration.ofMinutes(2), Duration.ofSeconds(30));

  @BeforeEach
  void open() throws IOException {
    etcd = Etcd.client(EtcdSettings.of(EtcdServer.shared().endpoint()));
    receiver = new MockWebServer();
    receiver.start(InetAddress.getLoopbackAddress(), 0);
    put(record("cassandra", "cassandra.a", 0, "10.0.1.1"));
    startService();
  }

  void startService() {
    callbacks = new CallbackService(etcd, env, settings, meters).start();
    app = Javalin.create(cfg -> callbacks.routes(cfg)).start("127.0.0.1", 0);
  }

  void stopService() {
    app.stop();
    callbacks.close();
  }

  @AfterEach
  void close() throws Exception {
    stopService();
    receiver.close();
    for (AutoCloseable c : cleanup) c.close();
    http.dispatcher().executorService().shutdownNow();
    etcd.close();
  }

  // ---- helpers

  static InstanceRecord record(String service, String taskId, int ordinal, String host) {
    return new InstanceRecord(service, taskId, null, ordinal, host, Map.of("storage", new PortMapping(7000, 7000, "tcp")),
        Map.of(), "TASK_RUNNING", null, false, "/" + service, "v1", "agent", "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z");
  }

  void put(InstanceRecord r) {
    try {
      etcd.getKVClient().put(Etcd.bytes(RegistryKeys.instance(env, r.service(), r.taskId())),
          ByteSequence.from(RegistryJson.write(r))).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  void delete(String service, String taskId) {
    try {
      etcd.getKVClient().delete(Etcd.bytes(RegistryKeys.instance(env, service, taskId))).get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  long storedRegistrations() throws Exception {
    return etcd.getKVClient().get(Etcd.bytes(RegistryKeys.callbacks(env)), GetOption.builder().isPrefix(true).build())
        .get(5, TimeUnit.SECONDS).getCount();
  }

  record Answer(int code, JsonNode body) {}

  Answer call(String method, String path, Object body, String token) throws IOException {
    Request.Builder b = new Request.Builder().url("http://127.0.0.1:" + app.port() + path);
    if (token != null) b.header("Authorization", "Bearer " + token);
    RequestBody rb = body == null ? null : RequestBody.create(RegistryJson.write(body), MediaType.get("application/json"));
    b.method(method, rb);
    try (Response r = http.newCall(b.build()).execute()) {
      String text = r.body().string();
      return new Answer(r.code(), text.isEmpty() ? null : RegistryJson.MAPPER.readTree(text));
    }
  }

  /** As the admin, for {@code taskId} (default: the running cassandra.a), whose service is the id's first part. */
  Answer register(String service, String url, String taskId) throws IOException {
    String task = taskId == null ? "cassandra.a" : taskId;
    return call("POST", "/v1/callbacks", body(service, url, task, task.substring(0, task.indexOf('.'))), TOKEN);
  }

  static Map<String, String> body(String service, String url, String taskId, String owner) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("service", service);
    body.put("url", url);
    if (taskId != null) body.put("taskId", taskId);
    if (owner != null) body.put("owner", owner);
    return body;
  }

  static boolean signed(String secret, byte[] body, String header) {
    return CallbackSignature.verify(secret, header, body, java.time.Instant.now()) == CallbackSignature.Result.VALID;
  }

  static JsonNode json(RecordedRequest request) throws IOException {
    return RegistryJson.MAPPER.readTree(request.getBody().utf8());
  }

  static List<String> tasks(JsonNode members) {
    List<String> out = new ArrayList<>();
    members.forEach(m -> out.add(m.path("taskId").asText()));
    return out;
  }

  RecordedRequest take(MockWebServer server) throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("a delivery within 10 s").isNotNull();
    return r;
  }

  // ---- behaviour

  @Test
  void withoutAConfiguredTokenRegistrationsAreTakenFromThisHostOnly() throws Exception {
    stopService();
    settings = settings.withToken(null);
    startService();
    receiver.enqueue(new MockResponse.Builder().code(200).build());

    Answer answer = call("POST", "/v1/callbacks",
        body("cassandra", receiver.url("/membership").toString(), "cassandra.a", "cassandra"), null);

    assertThat(answer.code()).as("a loopback caller without a token").isEqualTo(201);
    assertThat(storedRegistrations()).isEqualTo(1);
    take(receiver);
  }

  @Test
  void deliversCurrentMembersOnRegistrationThenEachJoinSignedWithTheSecret() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    receiver.enqueue(new MockResponse.Builder().code(204).build());
    Answer answer = register("cassandra", receiver.url("/membership").toString(), null);
    assertThat(answer.code()).isEqualTo(201);
    String secret = answer.body().path("secret").asText();
    assertThat(secret).hasSize(64);

    RecordedRequest first = take(receiver);
    assertThat(first.getMethod()).isEqualTo("POST");
    assertThat(first.getUrl().encodedPath()).isEqualTo("/membership");
    assertThat(signed(secret, first.getBody().toByteArray(), first.getHeaders().get(CallbackSignature.HEADER))).isTrue();
    assertThat(signed("wrong", first.getBody().toByteArray(), first.getHeaders().get(CallbackSignature.HEADER))).isFalse();
    String header = first.getHeaders().get(CallbackSignature.HEADER);
    assertThat(header).as("the time is signed with the body").matches("t=\\d+,v1=[0-9a-f]{64}");
    assertThat(CallbackSignature.verify(secret, header, first.getBody().toByteArray(),
        java.time.Instant.now().plus(Duration.ofMinutes(6)))).as("replayed six minutes later")
        .isEqualTo(CallbackSignature.Result.EXPIRED);
    JsonNode initial = json(first);
    assertThat(initial.path("service").asText()).isEqualTo("cassandra");
    assertThat(tasks(initial.path("members"))).containsExactly("cassandra.a");
    assertThat(tasks(initial.path("added"))).containsExactly("cassandra.a");

    put(record("cassandra", "cassandra.b", 1, "10.0.1.2"));
    RecordedRequest second = take(receiver);
    JsonNode joined = json(second);
    assertThat(tasks(joined.path("members"))).containsExactly("cassandra.a", "cassandra.b");
    assertThat(tasks(joined.path("added"))).containsExactly("cassandra.b");
    assertThat(joined.path("removed").size()).isZero();
    assertThat(joined.path("revision").asLong()).isGreaterThan(initial.path("revision").asLong());
    assertThat(signed(secret, second.getBody().toByteArray(), second.getHeaders().get(CallbackSignature.HEADER))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() ->
        meters.counter("mdo.callback.deliveries", "outcome", "delivered").count() == 2.0);
  }

  @Test
  void retriesAfterTheReceiverFailsAndDeliversTheSameChange() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(500).build());
    receiver.enqueue(new MockResponse.Builder().code(503).build());
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    assertThat(register("cassandra", receiver.url("/hook").toString(), null).code()).isEqualTo(201);
    JsonNode a = json(take(receiver));
    JsonNode b = json(take(receiver));
    JsonNode c = json(take(receiver));
    assertThat(tasks(c.path("members"))).containsExactly("cassandra.a");
    assertThat(a.path("revision")).isEqualTo(c.path("revision"));
    assertThat(b.path("members")).isEqualTo(c.path("members"));
    await().atMost(Duration.ofSeconds(5)).until(() ->
        meters.counter("mdo.callback.deliveries", "outcome", "delivered").count() == 1.0);
    assertThat(meters.counter("mdo.callback.deliveries", "outcome", "retried").count()).isEqualTo(2.0);
  }

  @Test
  void aHangingReceiverDoesNotDelayOthers() throws Exception {
    stopService();
    settings = settings.withDelivery(Duration.ofSeconds(6), Duration.ofMillis(50), Duration.ofMillis(200), 5);
    startService();
    try (ServerSocket hanging = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new ArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (!hanging.isClosed()) accepted.add(hanging.accept()); // accept and never answer
        } catch (IOException ignored) {
          // closed at the end of the test
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      for (int i = 0; i < 5; i++) receiver.enqueue(new MockResponse.Builder().code(200).build());
      assertThat(register("cassandra", "http://127.0.0.1:" + hanging.getLocalPort() + "/stuck", null).code()).isEqualTo(201);
      assertThat(register("cassandra", receiver.url("/ok").toString(), null).code()).isEqualTo(201);
      take(receiver);
      long start = System.nanoTime();
      put(record("cassandra", "cassandra.b", 1, "10.0.1.2"));
      JsonNode joined = json(take(receiver));
      assertThat(tasks(joined.path("added"))).containsExactly("cassandra.b");
      // Queued behind the hanging one it would take the 6 s request timeout at least.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      for (Socket s : accepted) s.close();
    }
  }

  /**
   * The shutdown path of issue 10's deadlock (the subscriber's shutdown hook runs it): closing while deliveries are
   * being answered. Repeated, because each run meets the completions at another point; ReceiverShutdownTest forces the
   * worst interleaving deterministically.
   */
  @RepeatedTest(20)
  void closingWhileDeliveriesAreAnsweredReturnsPromptly() throws Exception {
    int receivers = 8;
    CountDownLatch arrived = new CountDownLatch(receivers);
    CountDownLatch answer = new CountDownLatch(1);
    receiver.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        arrived.countDown();
        answer.await(10, TimeUnit.SECONDS);
        return new MockResponse.Builder().code(200).build();
      }
    });
    for (int i = 0; i < receivers; i++) { // one task each: a task holds a few registrations at most
      put(record("cassandra", "cassandra.r" + i, i + 1, "10.0.2." + i));
      assertThat(register("cassandra", receiver.url("/r" + i).toString(), "cassandra.r" + i).code()).isEqualTo(201);
    }
    assertThat(arrived.await(10, TimeUnit.SECONDS)).as("every receiver has a delivery in flight").isTrue();

    Thread closer = DaemonThreads.create("test-close", callbacks::close);
    answer.countDown(); // the answers complete the deliveries while close() cancels them
    closer.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> !closer.isAlive());
  }

  @Test
  void refusesUrlsThatPointAtMetadataLinkLocalOrOtherSchemes() throws Exception {
    for (String url : List.of("http://169.254.169.254/latest/meta-data/", "http://169.254.10.1/", "http://[fe80::1]/x",
        "http://metadata.google.internal/computeMetadata/v1/", "ftp://10.0.0.1/x", "file:///etc/passwd",
        "http://user:pw@10.0.0.1/", "http://0.0.0.0:8080/", "not a url", "http://[::ffff:169.254.169.254]/")) {
      Answer a = register("cassandra", url, null);
      assertThat(a.code()).as(url).isEqualTo(400);
      assertThat(a.body().path("error").asText()).as(url).startsWith("callback URL");
    }
    assertThat(storedRegistrations()).isZero();
    assertThat(receiver.getRequestCount()).isZero();
  }

  @Test
  void loopbackAndAddressesOutsideTheAllowlistAreRefusedWhenConfigured() throws Exception {
    stopService();
    settings = settings.withAllowLoopback(false);
    startService();
    assertThat(register("cassandra", receiver.url("/x").toString(), null).body().path("error").asText())
        .contains("loopback");
    stopService();
    settings = settings.withAllowLoopback(true).withAllowlist(List.of("10.0.0.0/8", "*.svc.internal"));
    startService();
    Answer refused = register("cassandra", receiver.url("/x").toString(), null);
    assertThat(refused.code()).isEqualTo(400);
    assertThat(refused.body().path("error").asText()).contains("not in the allowlist");
    assertThat(register("cassandra", "http://10.1.2.3:8080/x", null).code()).isEqualTo(201);
  }

  @Test
  void requiresTheTokenForEveryEndpoint() throws Exception {
    Map<String, String> body = body("cassandra", receiver.url("/x").toString(), "cassandra.a", "cassandra");
    assertThat(call("POST", "/v1/callbacks", body, null).code()).isEqualTo(401);
    assertThat(call("POST", "/v1/callbacks", body, "wrong").code()).isEqualTo(401);
    assertThat(call("GET", "/v1/callbacks", null, null).code()).isEqualTo(401);
    assertThat(call("DELETE", "/v1/callbacks/cassandra/abc", null, "nope").code()).isEqualTo(401);
    assertThat(storedRegistrations()).isZero();
    assertThat(call("POST", "/v1/callbacks", body, TOKEN).code()).isEqualTo(201);
  }

  @Test
  void listingNeverShowsSecretsAndDeleteRemoves() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    Answer created = register("cassandra", receiver.url("/x").toString(), "cassandra.a");
    String id = created.body().path("id").asText();
    Answer listed = call("GET", "/v1/callbacks?service=cassandra", null, TOKEN);
    assertThat(listed.code()).isEqualTo(200);
    assertThat(listed.body().size()).isEqualTo(1);
    assertThat(listed.body().get(0).path("id").asText()).isEqualTo(id);
    assertThat(listed.body().get(0).has("secret")).isFalse();
    assertThat(listed.body().toString()).doesNotContain(created.body().path("secret").asText());
    assertThat(call("GET", "/v1/callbacks?service=kafka", null, TOKEN).body().size()).isZero();
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + id, null, TOKEN).code()).isEqualTo(204);
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + id, null, TOKEN).code()).isEqualTo(404);
    assertThat(storedRegistrations()).isZero();
  }

  @Test
  void watchesTheRegistryOnlyWhileSomeoneIsRegisteredAndStillDeliversAfterARestartOfTheWatch() throws Exception {
    assertThat(callbacks.watching()).as("no registrations: etcd is not asked to stream every registry write").isFalse();
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    String id = register("cassandra", receiver.url("/x").toString(), null).body().path("id").asText();
    assertThat(callbacks.watching()).isTrue();
    assertThat(tasks(json(take(receiver)).path("members"))).containsExactly("cassandra.a");
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + id, null, TOKEN).code()).isEqualTo(204);
    assertThat(callbacks.watching()).isFalse();

    put(record("cassandra", "cassandra.b", 1, "10.0.1.2")); // while nobody watches
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    assertThat(register("cassandra", receiver.url("/y").toString(), null).code()).isEqualTo(201);
    assertThat(tasks(json(take(receiver)).path("members"))).containsExactlyInAnyOrder("cassandra.a", "cassandra.b");
    put(record("cassandra", "cassandra.c", 2, "10.0.1.3"));
    assertThat(tasks(json(take(receiver)).path("members")))
        .containsExactlyInAnyOrder("cassandra.a", "cassandra.b", "cassandra.c");
  }

  @Test
  void badBodiesGetClearErrors() throws Exception {
    assertThat(call("POST", "/v1/callbacks", "just a string", TOKEN).body().path("error").asText()).contains("JSON");
    assertThat(call("POST", "/v1/callbacks", Map.of("url", "http://10.0.0.1/"), TOKEN).body().path("error").asText())
        .contains("service");
    assertThat(call("POST", "/v1/callbacks", Map.of("service", "../etc", "url", "http://10.0.0.1/"), TOKEN).code())
        .isEqualTo(400);
  }

  @Test
  void isRemovedWhenTheRegisteringInstanceDies() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    put(record("web", "web.1", 0, "10.0.5.1"));
    Answer a = register("cassandra", receiver.url("/x").toString(), "web.1");
    assertThat(a.code()).isEqualTo(201);
    take(receiver);
    await().atMost(Duration.ofSeconds(5)).until(() -> storedRegistrations() == 1);
    delete("web", "web.1");
    await().atMost(Duration.ofSeconds(10)).until(() -> storedRegistrations() == 0);
    assertThat(call("GET", "/v1/callbacks", null, TOKEN).body().size()).isZero();
    put(record("cassandra", "cassandra.c", 2, "10.0.1.3"));
    assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void theGuestutilsCliRegistersListsAndUnregisters() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    Map<String, String> vars = Map.of("SUBSCRIBER_URL", "http://127.0.0.1:" + app.port(), "MDO_TOKEN", TOKEN,
        "MESOS_TASK_ID", "cassandra.a", "SERVICE_NAME", "cassandra");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int status = mdo.guestutils.Main.run(new String[] {"register-callback", "cassandra", receiver.url("/m").toString()},
        new mdo.guestutils.GuestEnv(vars), new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
    assertThat(status).as(err.toString()).isZero();
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).matches("MDO_CALLBACK_ID=[0-9a-f]{32}");
    assertThat(lines.get(1)).matches("MDO_CALLBACK_SECRET=[0-9a-f]{64}");
    String id = lines.get(0).substring("MDO_CALLBACK_ID=".length());
    String secret = lines.get(1).substring("MDO_CALLBACK_SECRET=".length());
    RecordedRequest first = take(receiver);
    assertThat(signed(secret, first.getBody().toByteArray(), first.getHeaders().get(CallbackSignature.HEADER))).isTrue();

    java.io.StringWriter listed = new java.io.StringWriter();
    assertThat(mdo.guestutils.Main.run(new String[] {"list-callbacks", "cassandra"}, new mdo.guestutils.GuestEnv(vars),
        new java.io.PrintWriter(listed, true), new java.io.PrintWriter(err, true))).isZero();
    JsonNode list = RegistryJson.MAPPER.readTree(listed.toString());
    assertThat(list.get(0).path("id").asText()).isEqualTo(id);
    assertThat(list.get(0).path("taskId").asText()).isEqualTo("cassandra.a");
    assertThat(listed.toString()).doesNotContain(secret);

    assertThat(mdo.guestutils.Main.run(new String[] {"unregister-callback", "cassandra", id},
        new mdo.guestutils.GuestEnv(vars), new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true))).isZero();
    assertThat(storedRegistrations()).isZero();

    java.io.StringWriter denied = new java.io.StringWriter();
    Map<String, String> wrongToken = new java.util.HashMap<>(vars);
    wrongToken.put("MDO_TOKEN", "not-the-token-123");
    assertThat(mdo.guestutils.Main.run(new String[] {"register-callback", "cassandra", receiver.url("/m").toString()},
        new mdo.guestutils.GuestEnv(wrongToken), new java.io.PrintWriter(out, true), new java.io.PrintWriter(denied, true)))
        .isEqualTo(1);
    assertThat(denied.toString()).contains("401").contains("missing or wrong bearer token").doesNotContain("not-the-token-123");
  }

  @Test
  void aStoredRegistrationWhoseTaskNeverAppearsExpiresAfterTheGracePeriodEvenWithoutCreatedAt() throws Exception {
    stopService();
    settings = settings.withTiming(Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofMillis(200));
    // written by another subscriber, or by hand: no createdAt, and its task never shows up
    store(new CallbackRegistration("ghost0000ghost0000", "cassandra", receiver.url("/x").toString(), "ghost.1", "ghost",
        "s3cret", null, null, null));
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    startService();
    assertThat(register("cassandra", receiver.url("/y").toString(), null).code()).isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> storedRegistrations() == 1);
    JsonNode left = call("GET", "/v1/callbacks", null, TOKEN).body();
    assertThat(left.get(0).path("taskId").asText()).isEqualTo("cassandra.a");
  }

  @Test
  void aStoredRegistrationWithANullCreatedAtDoesNotStopTheSweepsReOffers() throws Exception {
    stopService();
    settings = settings.withDelivery(Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(100), 1)
        .withTiming(Duration.ofMillis(50), Duration.ofMinutes(2), Duration.ofMillis(200));
    java.util.concurrent.atomic.AtomicInteger toB = new java.util.concurrent.atomic.AtomicInteger();
    receiver.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        boolean b = request.getUrl().encodedPath().equals("/b");
        // b fails its one attempt; only a later re-offer by the sweep can reach it
        return new MockResponse.Builder().code(b && toB.incrementAndGet() == 1 ? 500 : 200).build();
      }
    });
    store(new CallbackRegistration("nocreated00000000", "cassandra", receiver.url("/a").toString(), "gone.1", "gone",
        "s3cret", null, null, null));
    store(new CallbackRegistration("fine0000000000000", "cassandra", receiver.url("/b").toString(), "cassandra.a",
        "cassandra", "s3cret", "2026-11-21T10:00:00Z", null, null));
    startService();
    await().atMost(Duration.ofSeconds(10)).until(() -> toB.get() >= 2);
    await().atMost(Duration.ofSeconds(5)).until(() ->
        meters.counter("mdo.callback.deliveries", "outcome", "delivered").count() >= 2.0);
  }

  void store(CallbackRegistration r) throws Exception {
    etcd.getKVClient().put(Etcd.bytes(RegistryKeys.callback(env, r.service(), r.id())),
        ByteSequence.from(RegistryJson.write(r))).get(5, TimeUnit.SECONDS);
  }

  @Test
  void survivesARestartAndKeepsSigningWithTheSameSecret() throws Exception {
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    Answer a = register("cassandra", receiver.url("/x").toString(), null);
    String secret = a.body().path("secret").asText();
    take(receiver);
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      JsonNode list = call("GET", "/v1/callbacks", null, TOKEN).body();
      return list.size() == 1 && list.get(0).has("deliveredRevision");
    });
    stopService();
    put(record("cassandra", "cassandra.b", 1, "10.0.1.2"));  // happens while the subscriber is down
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    startService();
    RecordedRequest after = take(receiver);
    JsonNode change = json(after);
    assertThat(tasks(change.path("added"))).containsExactly("cassandra.b");
    assertThat(tasks(change.path("members"))).containsExactly("cassandra.a", "cassandra.b");
    assertThat(signed(secret, after.getBody().toByteArray(), after.getHeaders().get(CallbackSignature.HEADER))).isTrue();
    assertThat(receiver.takeRequest(500, TimeUnit.MILLISECONDS)).as("nothing already delivered is sent again").isNull();
  }

  // ---- least privilege: per-service tokens, live tasks, quotas

  static final String SECRET = "registration-secret-" + UUID.randomUUID();

  void withServiceTokens() {
    stopService();
    settings = settings.withRegistrationSecret(SECRET);
    startService();
  }

  static String tokenOf(String service, String env) {
    return mdo.access.RegistrationTokens.of(SECRET, env, service);
  }

  @Test
  void aServiceTokenRegistersOnlyForARunningTaskOfItsOwnService() throws Exception {
    withServiceTokens();
    put(record("web", "web.1", 0, "10.0.5.1"));
    String web = tokenOf("web", env);
    String url = receiver.url("/x").toString();
    receiver.enqueue(new MockResponse.Builder().code(200).build());

    Answer asOther = call("POST", "/v1/callbacks", body("cassandra", url, "cassandra.a", "cassandra"), web);
    assertThat(asOther.code()).isEqualTo(403);
    assertThat(asOther.body().path("error").asText()).contains("registers only for tasks of web, not of cassandra");
    Answer othersTask = call("POST", "/v1/callbacks", body("cassandra", url, "cassandra.a", null), web);
    assertThat(othersTask.code()).as("cassandra.a is no task of web").isEqualTo(409);
    assertThat(othersTask.body().path("reason").asText()).isEqualTo("task-not-running");
    Answer made = call("POST", "/v1/callbacks", body("cassandra", url, "web.1", null), web);
    assertThat(made.code()).isEqualTo(201);
    assertThat(made.body().path("owner").asText()).isEqualTo("web");
    assertThat(call("POST", "/v1/callbacks", body("cassandra", url, "web.1", null), tokenOf("web", "elsewhere")).code())
        .as("a token of another environment").isEqualTo(401);
    assertThat(storedRegistrations()).isEqualTo(1);
  }

  @Test
  void aServiceTokenSeesAndDeletesOnlyItsServicesRegistrations() throws Exception {
    withServiceTokens();
    put(record("web", "web.1", 0, "10.0.5.1"));
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    String cassandras = register("cassandra", receiver.url("/c").toString(), "cassandra.a").body().path("id").asText();
    String webs = call("POST", "/v1/callbacks", body("cassandra", receiver.url("/w").toString(), "web.1", null),
        tokenOf("web", env)).body().path("id").asText();

    JsonNode seenByWeb = call("GET", "/v1/callbacks", null, tokenOf("web", env)).body();
    assertThat(seenByWeb.size()).isEqualTo(1);
    assertThat(seenByWeb.get(0).path("id").asText()).isEqualTo(webs);
    assertThat(call("GET", "/v1/callbacks", null, TOKEN).body().size()).as("the admin sees all").isEqualTo(2);
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + cassandras, null, tokenOf("web", env)).code())
        .as("another service's registration looks absent").isEqualTo(404);
    assertThat(storedRegistrations()).isEqualTo(2);
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + webs, null, tokenOf("web", env)).code()).isEqualTo(204);
    assertThat(call("DELETE", "/v1/callbacks/cassandra/" + cassandras, null, TOKEN).code()).isEqualTo(204);
    assertThat(storedRegistrations()).isZero();
  }

  @Test
  void quotasPerTaskAndPerServiceHoldEvenUnderConcurrentRegistrations() throws Exception {
    stopService();
    settings = settings.withRegistrationSecret(SECRET).withQuotas(1000, 6, 4);
    startService();
    receiver.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return new MockResponse.Builder().code(200).build();
      }
    });
    put(record("web", "web.1", 0, "10.0.5.1"));
    put(record("web", "web.2", 1, "10.0.5.2"));
    String web = tokenOf("web", env);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(12);
    try {
      List<java.util.concurrent.Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        answers.add(pool.submit(() -> call("POST", "/v1/callbacks",
            body("cassandra", receiver.url("/q").toString(), "web.1", null), web)));
      }
      int created = 0;
      for (var a : answers) if (a.get(20, TimeUnit.SECONDS).code() == 201) created++;
      assertThat(created).as("12 at once for one task, quota 4").isEqualTo(4);
    } finally {
      pool.shutdownNow();
    }
    Answer refused = call("POST", "/v1/callbacks", body("cassandra", receiver.url("/q").toString(), "web.1", null), web);
    assertThat(refused.code()).isEqualTo(409);
    assertThat(refused.body().path("error").asText())
        .isEqualTo("task web.1 holds 4 callback registrations, the most one task may (4)");
    for (int i = 0; i < 2; i++) {
      assertThat(call("POST", "/v1/callbacks", body("cassandra", receiver.url("/q").toString(), "web.2", null), web)
          .code()).isEqualTo(201);
    }
    Answer serviceFull = call("POST", "/v1/callbacks", body("cassandra", receiver.url("/q").toString(), "web.2", null), web);
    assertThat(serviceFull.body().path("error").asText())
        .isEqualTo("the tasks of service web hold 6 callback registrations, the most one service may (6)");
    assertThat(register("cassandra", receiver.url("/q").toString(), "cassandra.a").code())
        .as("other services have quotas of their own").isEqualTo(201);
    assertThat(storedRegistrations()).isEqualTo(7);
  }

  // ---- SSRF

  @Test
  void privateAddressesAreRefusedUnlessTheirNetworkIsAllowed() throws Exception {
    for (String url : List.of("http://10.1.2.3:4001/v2/apps/x/restart", "http://172.16.0.9/", "http://192.168.1.1/",
        "http://100.64.0.1/", "http://[fd12::1]/", "http://[::ffff:10.0.0.1]/", "http://[64:ff9b::a00:1]/",
        "http://[2002:a00:1::]/")) {
      Answer a = register("cassandra", url, null);
      assertThat(a.code()).as(url).isEqualTo(400);
      assertThat(a.body().path("error").asText()).as(url).contains("a private address");
    }
    stopService();
    settings = settings.withAllowlist(List.of("10.0.0.0/8"));
    startService();
    assertThat(register("cassandra", "http://10.1.2.3:8080/hook", null).code()).isEqualTo(201);
    assertThat(register("cassandra", "http://192.168.1.1/", null).code()).as("not in the allowlist").isEqualTo(400);
  }

  @Test
  void registrationsLoadedFromEtcdAreCheckedAndBadOnesDropped() throws Exception {
    stopService();
    settings = settings.withTiming(Duration.ofMillis(50), Duration.ofMinutes(2), Duration.ofMillis(200));
    store(new CallbackRegistration("meta0000000000000", "cassandra", "http://169.254.169.254/latest/meta-data/",
        "cassandra.a", "cassandra", "s3cret", "2026-11-21T10:00:00Z", null, null));
    store(new CallbackRegistration("priv0000000000000", "cassandra", "http://10.0.0.7:2379/v3/kv/put",
        "cassandra.a", "cassandra", "s3cret", "2026-11-21T10:00:00Z", null, null));
    store(new CallbackRegistration("notask00000000000", "cassandra", receiver.url("/x").toString(), null, null,
        "s3cret", "2026-11-21T10:00:00Z", null, null));
    store(new CallbackRegistration("good0000000000000", "cassandra", receiver.url("/good").toString(), "cassandra.a",
        "cassandra", "s3cret", "2026-11-21T10:00:00Z", null, null));
    receiver.enqueue(new MockResponse.Builder().code(200).build());
    startService();
    assertThat(take(receiver).getUrl().encodedPath()).isEqualTo("/good");
    await().atMost(Duration.ofSeconds(5)).until(() -> storedRegistrations() == 1);
    assertThat(meters.counter("mdo.callback.registrations.changes", "action", "invalid").count()).isEqualTo(3.0);
    assertThat(receiver.takeRequest(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void deliveriesIgnoreTheJvmsProxySettings() throws Exception {
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.start(InetAddress.getLoopbackAddress(), 0);
      java.net.ProxySelector before = java.net.ProxySelector.getDefault();
      java.net.ProxySelector.setDefault(java.net.ProxySelector.of(
          new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.getPort())));
      try {
        stopService();
        startService(); // built while the JVM routes everything through the proxy
        receiver.enqueue(new MockResponse.Builder().code(200).build());
        assertThat(register("cassandra", receiver.url("/direct").toString(), null).code()).isEqualTo(201);
        assertThat(take(receiver).getUrl().encodedPath()).isEqualTo("/direct");
        assertThat(proxy.getRequestCount()).isZero();
      } finally {
        java.net.ProxySelector.setDefault(before);
      }
    }
  }
}
