package mdo.marathon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mdo.config.MarathonSettings;
import mdo.testkit.Payloads;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mdo.testkit.MarathonResponses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MarathonClientTest {
  private final MockWebServer marathon = new MockWebServer();
  private final MockWebServer standby = new MockWebServer();

  @BeforeEach
  void start() throws Exception {
    marathon.start();
    standby.start();
  }

  @AfterEach
  void stop() {
    marathon.close();
    standby.close();
  }

  private MarathonClient client(MockWebServer... servers) {
    return new MarathonClient(new MarathonSettings(urls(servers), null, null, null, null, null));
  }

  private static List<URI> urls(MockWebServer... servers) {
    return java.util.Arrays.stream(servers).map(s -> s.url("/").uri()).toList();
  }

  private static MockResponse json(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
  }

  static final String V1 = "2015-09-25T15:13:48.343Z";
  static final String V2 = "2015-09-29T15:59:51.164Z";
  static final String DEPLOYMENT = "5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43";

  private static ObjectNode instances(int n) {
    return MarathonClient.JSON.createObjectNode().put("instances", n);
  }

  /** {@code GET /v2/apps/{id}} of the recorded app at {@code version}, deploying {@code deployment} (or nothing). */
  private static MockResponse appAt(String version, String... deployments) {
    ObjectNode body = (ObjectNode) MarathonResponses.read(Payloads.withoutComments(
        Payloads.marathon("app_get_response.1.4.jsonc")));
    ObjectNode app = (ObjectNode) body.get("app");
    app.put("id", "/prod/cassandra").put("version", version);
    var list = app.putArray("deployments");
    for (String d : deployments) list.addObject().put("id", d);
    return json(200, body.toString());
  }

  /** Reads the request, then drops the connection without answering: the answer is lost. */
  private static MockResponse resetAfterReading() {
    return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
  }

  private static RecordedRequest next(MockWebServer server) throws InterruptedException {
    RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
    assertThat(request).as("request received").isNotNull();
    return request;
  }

  @Test
  void createAppPostsTheDefinitionAndReturnsTheDeploymentId() throws Exception {
    marathon.enqueue(json(201, Payloads.marathon("apps_post_response.json")));
    ObjectNode app = Payloads.marathonJson("apps_post_request.json");

    DeploymentResult result = client(marathon).createApp(app);

    assertThat(result.deploymentId()).isEqualTo("f44fd4fc-4330-4600-a68b-99c7bd33014a");
    assertThat(result.created()).isTrue();
    RecordedRequest request = next(marathon);
    assertThat(request.getRequestLine()).isEqualTo("POST /v2/apps HTTP/1.1");
    assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(MarathonClient.JSON.readTree(request.getBody().utf8())).isEqualTo(app);
  }

  @Test
  void scaleIsAPartialPutOfInstancesOnTheNestedAppPath() throws Exception {
    marathon.enqueue(json(200, "{\"deploymentId\":\"5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43\",\"version\":\"2015-09-29T15:59:51.164Z\"}"));

    DeploymentResult result = client(marathon).putApp("/prod/cassandra", instances(3), false, V1);

    assertThat(result.deploymentId()).isEqualTo("5ed4c0c5-9ff8-4a6f-a0cd-f57f59a34b43");
    RecordedRequest request = next(marathon);
    assertThat(request.getRequestLine()).isEqualTo("PUT /v2/apps/prod/cassandra HTTP/1.1");
    assertThat(request.getBody().utf8()).isEqualTo("{\"instances\":3}");
  }

  @Test
  void getAppReadsTheDocumentedResponseAndIsEmptyFor404() {
    marathon.enqueue(json(200, Payloads.withoutComments(Payloads.marathon("app_get_response.1.4.jsonc"))));
    marathon.enqueue(json(404, Payloads.marathon("error_404_app_not_found.json")));
    MarathonClient client = client(marathon);

    MarathonApp app = client.getApp("/toggle").orElseThrow();
    assertThat(app.id()).isEqualTo("/toggle");
    assertThat(app.instances()).isEqualTo(2);
    assertThat(app.hasHealthChecks()).isTrue();
    assertThat(app.deploymentIds()).containsExactly("44c4ed48-ee53-4e0f-82dc-4df8b2a69057");
    assertThat(client.getApp("/not_existent")).isEmpty();
  }

  @Test
  void listTasksReadsTheRealTaskList() {
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")));

    List<MarathonTask> tasks = client(marathon).listTasks();

    assertThat(tasks).extracting(MarathonTask::appId).containsExactly("/frontend-foosball", "/tools/docker/registry");
    assertThat(tasks.get(0).ports()).containsExactly(31292);
    assertThat(tasks.get(0).state()).isEqualTo("TASK_RUNNING");
    assertThat(tasks.get(0).healthy()).isNull();
  }

  @Test
  void deploymentsAreReadWithTheirCurrentStep() {
    marathon.enqueue(json(200, Payloads.marathon("deployments_get.json")));

    List<MarathonDeployment> deployments = client(marathon).deployments();

    assertThat(deployments).hasSize(1);
    assertThat(deployments.get(0).affectedApps()).containsExactly("/foo");
    assertThat(deployments.get(0).currentStep()).isEqualTo(1);
    assertThat(deployments.get(0).currentActions().get(0).action()).isEqualTo("ScaleApplication");
  }

  @Test
  void failsOverToTheNextUrlWhenTheFirstRefusesConnectionsAndSticksToIt() throws Exception {
    URI dead;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    marathon.enqueue(json(200, Payloads.marathon("info_get_response.json")));
    marathon.enqueue(json(200, Payloads.marathon("info_get_response.json")));
    MarathonClient client = new MarathonClient(
        new MarathonSettings(List.of(dead, marathon.url("/").uri()), null, null, null, null, null));

    client.info();
    client.info();

    assertThat(marathon.getRequestCount()).isEqualTo(2);
    assertThat(client.preferredUrl().getPort()).isEqualTo(marathon.getPort());
  }

  @Test
  void aStandbyWithoutLeaderAnswering503MovesToTheNextUrl() {
    standby.enqueue(new MockResponse.Builder().code(503).body("Could not determine the current leader").build());
    marathon.enqueue(json(200, Payloads.marathon("leader_get_response.json")));

    assertThat(client(standby, marathon).leader()).isPresent();
    assertThat(standby.getRequestCount()).isEqualTo(1);
  }

  @Test
  void followsALeaderRedirectKeepingAcceptAndCredentials() throws Exception {
    standby.enqueue(new MockResponse.Builder().code(302)
        .setHeader("Location", marathon.url("/v2/tasks").toString()).build());
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")));
    MarathonClient client = new MarathonClient(
        new MarathonSettings(urls(standby, marathon), "ops", "s3cret", null, null, null));

    assertThat(client.listTasks()).hasSize(2);

    RecordedRequest redirected = next(marathon);
    assertThat(redirected.getRequestLine()).isEqualTo("GET /v2/tasks HTTP/1.1");
    assertThat(redirected.getHeaders().get("Authorization")).isEqualTo(okhttp3.Credentials.basic("ops", "s3cret"));
    assertThat(redirected.getHeaders().get("Accept")).isEqualTo("application/json");
  }

  @Test
  void sendsADcosTokenAsTheAuthorizationHeader() throws Exception {
    marathon.enqueue(json(200, "{\"apps\":[]}"));
    new MarathonClient(new MarathonSettings(urls(marathon), null, null, "abc.def", null, null)).listApps("MDO_ENVIRONMENT==prod");

    RecordedRequest request = next(marathon);
    assertThat(request.getHeaders().get("Authorization")).isEqualTo("token=abc.def");
    assertThat(request.getUrl().queryParameter("label")).isEqualTo("MDO_ENVIRONMENT==prod");
  }

  @Test
  void aLockedAppNamesTheDeploymentsThatLockIt() {
    marathon.enqueue(json(409, Payloads.marathon("error_409_app_locked.json")));

    assertThatThrownBy(() -> client(marathon).putApp("/foo", instances(2), false, V1))
        .isInstanceOfSatisfying(MarathonException.class, e -> {
          assertThat(e.isLocked()).isTrue();
          assertThat(e.deploymentIds()).containsExactly("97c136bf-5a28-4821-9d94-480d9fbb01c8");
          assertThat(e.getMessage()).contains("HTTP 409", "App is locked by one or more deployments");
        });
  }

  @Test
  void validationErrorsListEachPathAndError() {
    marathon.enqueue(json(422, Payloads.marathon("error_422_validation.json")));

    assertThatThrownBy(() -> client(marathon).putApp("/foo", MarathonClient.JSON.createObjectNode(), false, V1))
        .isInstanceOfSatisfying(MarathonException.class, e -> {
          assertThat(e.status()).isEqualTo(422);
          assertThat(e.details()).containsExactly("/upgradeStrategy/minimumHealthCapacity: is greater than 1");
          assertThat(e.getMessage()).contains("Object is not valid", "/upgradeStrategy/minimumHealthCapacity: is greater than 1");
        });
  }

  @Test
  void invalidJsonDetailsMayBeAListOrAString() {
    marathon.enqueue(json(400, Payloads.marathon("error_400_invalid_json.json")));
    marathon.enqueue(json(400, "{\"message\":\"Invalid JSON\",\"details\":\"Unexpected end-of-input\"}"));
    MarathonClient client = client(marathon);
    ObjectNode empty = MarathonClient.JSON.createObjectNode();

    assertThatThrownBy(() -> client.createApp(empty)).isInstanceOfSatisfying(MarathonException.class,
        e -> assertThat(e.details()).containsExactly("/id: error.expected.jsstring"));
    assertThatThrownBy(() -> client.createApp(empty)).isInstanceOfSatisfying(MarathonException.class,
        e -> assertThat(e.details()).containsExactly("Unexpected end-of-input"));
  }

  @Test
  void jettyHtml401PageBecomesACredentialsHint() {
    marathon.enqueue(new MockResponse.Builder().code(401)
        .setHeader("WWW-Authenticate", "basic realm=\"Mesosphere\"")
        .setHeader("Content-Type", "text/html;charset=iso-8859-1")
        .body("<html><head><title>Error 401 Unauthorized</title></head><body><h2>HTTP ERROR 401</h2></body></html>")
        .build());

    assertThatThrownBy(() -> client(marathon).listTasks()).isInstanceOfSatisfying(MarathonException.class, e -> {
      assertThat(e.isAuth()).isTrue();
      assertThat(e.getMessage()).contains("marathon.user/password or marathon.token").doesNotContain("<html>");
    });
  }

  @Test
  void forbiddenKeepsMarathonsMessage() {
    marathon.enqueue(json(403, Payloads.marathon("error_403_forbidden.json")));

    assertThatThrownBy(() -> client(marathon).deleteApp("/foo"))
        .hasMessageContaining("HTTP 403").hasMessageContaining("Not Authorized to perform this action!");
  }

  @Test
  void noUrlAnsweringListsEveryAttempt() throws Exception {
    marathon.close();
    standby.close();

    assertThatThrownBy(() -> client(marathon, standby).info())
        .isInstanceOf(MarathonUnavailableException.class)
        .hasMessageContaining(":" + marathon.getPort())
        .hasMessageContaining(":" + standby.getPort());
  }

  /**
   * A change whose answer is lost after it was sent is not sent again to the next Marathon: the app is read back, and
   * its new version shows the change was applied (the second Marathon would otherwise answer "locked").
   */
  @Test
  void aChangeWhoseAnswerWasLostIsReadBackInsteadOfSentAgain() throws Exception {
    marathon.enqueue(resetAfterReading());
    marathon.enqueue(appAt(V2, DEPLOYMENT));

    DeploymentResult result = client(marathon, standby).putApp("/prod/cassandra", instances(3), false, V1);

    assertThat(result.deploymentId()).isEqualTo(DEPLOYMENT);
    assertThat(result.version()).isEqualTo(V2);
    assertThat(next(marathon).getRequestLine()).isEqualTo("PUT /v2/apps/prod/cassandra HTTP/1.1");
    assertThat(next(marathon).getRequestLine()).isEqualTo("GET /v2/apps/prod/cassandra HTTP/1.1");
    assertThat(standby.getRequestCount()).as("sent once only").isZero();
  }

  /** Marathon answers 503 when it timed out internally, sometimes having applied the change: read back too. */
  @Test
  void a503ToACreateIsReadBackAndTheCreatedAppTaken() throws Exception {
    marathon.enqueue(new MockResponse.Builder().code(503).body("Service Unavailable").build());
    marathon.enqueue(appAt(V2, DEPLOYMENT));
    ObjectNode app = Payloads.marathonJson("apps_post_request.json").put("id", "/prod/cassandra");

    DeploymentResult result = client(marathon, standby).createApp(app);

    assertThat(result.created()).isTrue();
    assertThat(result.deploymentId()).isEqualTo(DEPLOYMENT);
    assertThat(standby.getRequestCount()).isZero();
  }

  /** Read back unchanged: the change did not happen, so it is sent to the next Marathon. */
  @Test
  void aLostChangeThatDidNotHappenIsSentToTheNextUrl() throws Exception {
    marathon.enqueue(resetAfterReading());
    marathon.enqueue(appAt(V1));
    standby.enqueue(json(200, "{\"deploymentId\":\"" + DEPLOYMENT + "\",\"version\":\"" + V2 + "\"}"));

    DeploymentResult result = client(marathon, standby).restartApp("/prod/cassandra", false, V1);

    assertThat(result.deploymentId()).isEqualTo(DEPLOYMENT);
    assertThat(next(standby).getRequestLine()).isEqualTo("POST /v2/apps/prod/cassandra/restart HTTP/1.1");
  }

  /** With one Marathon, a change read back as not applied (a stale connection lost it) is sent to it once more. */
  @Test
  void aLostChangeThatDidNotHappenIsSentOnceMoreToASingleMarathon() throws Exception {
    marathon.enqueue(resetAfterReading());
    marathon.enqueue(appAt(V1));
    marathon.enqueue(json(200, "{\"deploymentId\":\"" + DEPLOYMENT + "\",\"version\":\"" + V2 + "\"}"));

    DeploymentResult result = client(marathon).putApp("/prod/cassandra", instances(3), false, V1);

    assertThat(result.deploymentId()).isEqualTo(DEPLOYMENT);
    assertThat(next(marathon).getRequestLine()).startsWith("PUT ");
    assertThat(next(marathon).getRequestLine()).startsWith("GET ");
    assertThat(next(marathon).getRequestLine()).startsWith("PUT ");
  }

  /** A change that was applied late meets itself: 409 after a lost answer is read back, not reported. */
  @Test
  void aConflictAfterALostAnswerIsTheChangeItselfWhenTheAppMovedOn() throws Exception {
    marathon.enqueue(resetAfterReading());
    marathon.enqueue(appAt(V1));
    standby.enqueue(json(409, Payloads.marathon("error_409_app_locked.json")));
    standby.enqueue(appAt(V2, "97c136bf-5a28-4821-9d94-480d9fbb01c8"));

    DeploymentResult result = client(marathon, standby).replaceApp("/prod/cassandra", instances(3), false, V1);

    assertThat(result.deploymentId()).isEqualTo("97c136bf-5a28-4821-9d94-480d9fbb01c8");
    assertThat(result.version()).isEqualTo(V2);
  }

  /** Nobody can say whether a change with a lost answer happened when Marathon cannot be read: nothing is resent. */
  @Test
  void aLostAnswerThatCannotBeReadBackIsReportedNotResent() throws Exception {
    marathon.enqueue(resetAfterReading());
    marathon.enqueue(new MockResponse.Builder().code(503).body("Could not determine the current leader").build());
    standby.enqueue(new MockResponse.Builder().code(503).body("Could not determine the current leader").build());

    assertThatThrownBy(() -> client(marathon, standby).putApp("/prod/cassandra", instances(3), false, V1))
        .isInstanceOf(MarathonUnavailableException.class)
        .hasMessageContaining("the change may or may not have been applied");
    assertThat(standby.takeRequest(1, TimeUnit.SECONDS).getRequestLine()).startsWith("GET ");
    assertThat(standby.getRequestCount()).isEqualTo(1);
  }

  /** A connection refused never carried the change: the next URL gets it at once. */
  @Test
  void aChangeThatNeverLeftGoesToTheNextUrl() throws Exception {
    URI dead;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      dead = URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/");
    }
    marathon.enqueue(json(201, Payloads.marathon("apps_post_response.json")));
    MarathonClient client = new MarathonClient(
        new MarathonSettings(List.of(dead, marathon.url("/").uri()), null, null, null, null, null));

    assertThat(client.createApp(Payloads.marathonJson("apps_post_request.json")).created()).isTrue();
    assertThat(next(marathon).getRequestLine()).isEqualTo("POST /v2/apps HTTP/1.1");
    assertThat(marathon.getRequestCount()).isEqualTo(1);
  }

  /** Marathon 1.7+'s answer while --max_running_deployments deployments run (TooManyRunningDeploymentsException). */
  @Test
  void aForbiddenForTooManyDeploymentsIsNotAPermissionsProblem() {
    marathon.enqueue(json(403, "{\"message\":\"Max number (1) of running deployments is achieved. Wait for existing"
        + " deployments to complete or cancel oneusing force=true parameter. You can increase max deployment number by"
        + " using --max_running_deployments parameter but be advised that this can have negative effects on the"
        + " performance.\"}"));
    marathon.enqueue(json(403, Payloads.marathon("error_403_forbidden.json")));
    MarathonClient client = client(marathon);

    assertThatThrownBy(() -> client.putApp("/foo", instances(2), false, V1))
        .isInstanceOfSatisfying(MarathonException.class, e -> {
          assertThat(e.isDeploymentLimit()).isTrue();
          assertThat(e.isAuth()).isFalse();
        });
    assertThatThrownBy(() -> client.putApp("/foo", instances(2), false, V1))
        .isInstanceOfSatisfying(MarathonException.class, e -> {
          assertThat(e.isDeploymentLimit()).isFalse();
          assertThat(e.isAuth()).isTrue();
        });
  }

  @Test
  void settingsNeverPrintSecrets() {
    MarathonSettings settings = new MarathonSettings(List.of(URI.create("https://m:8443")), "ops", "s3cret", null, null, null);
    assertThat(settings.toString()).contains("ops").doesNotContain("s3cret");
    assertThat(new MarathonSettings(List.of(URI.create("https://m:8443")), null, null, "tok123", null, null).toString())
        .doesNotContain("tok123");
  }

  private MarathonClient client(java.time.Duration requestTimeout, java.time.Duration listingTimeout) {
    return new MarathonClient(new MarathonSettings(urls(marathon), null, null, null, null, requestTimeout,
        listingTimeout));
  }

  @Test
  void aFullListingHasItsOwnGenerousTimeoutOtherCallsDoNot() {
    MarathonClient client = client(java.time.Duration.ofMillis(500), java.time.Duration.ofSeconds(30));
    // Marathon at 10k+ tasks: the answer starts only after a while
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")).newBuilder()
        .headersDelay(1500, TimeUnit.MILLISECONDS).build());
    assertThat(client.listTasks()).hasSize(2);

    marathon.enqueue(json(200, Payloads.marathon("info_get_response.json")).newBuilder()
        .headersDelay(1500, TimeUnit.MILLISECONDS).build());
    assertThatThrownBy(client::info).isInstanceOf(MarathonUnavailableException.class)
        .hasMessageContaining("SocketTimeoutException");
  }

  @Test
  void aListingThatOutlastsItsTimeoutFailsAsUnavailable() {
    MarathonClient client = client(java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1));
    // bytes keep coming (no read timeout), but the whole answer takes longer than the listing may
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")).newBuilder()
        .throttleBody(64, 100, TimeUnit.MILLISECONDS).build());
    assertThatThrownBy(client::listTasks).isInstanceOf(MarathonUnavailableException.class)
        .hasMessageContaining("GET /v2/tasks");
  }

  @Test
  void aListingKeepsOnlyTheTasksOfTheAppsAskedForAndRefusesWhatIsNotAListing() {
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")));
    List<MarathonTask> all = client(marathon).listTasks();
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")));
    String first = all.get(0).appId();
    assertThat(client(marathon).listTasks(first::equals)).isNotEmpty().allSatisfy(t -> assertThat(t.appId()).isEqualTo(first));

    marathon.enqueue(json(200, "{\"tasks\": [{\"id\": \"a\"}, oops"));
    assertThatThrownBy(() -> client(marathon).listTasks()).isInstanceOf(MarathonException.class)
        .hasMessageContaining("not a listing");
  }

  @Test
  void credentialsNeverFollowARedirectToAHostNotConfigured() throws Exception {
    try (MockWebServer elsewhere = new MockWebServer()) {
      elsewhere.start();
      standby.enqueue(new MockResponse.Builder().code(302)
          .setHeader("Location", elsewhere.url("/v2/tasks").toString()).build());
      MarathonClient client = new MarathonClient(new MarathonSettings(urls(standby), "ops", "s3cret", null, null, null));

      assertThatThrownBy(client::listTasks).isInstanceOf(MarathonUnavailableException.class)
          .hasMessageContaining("refused: " + origin(standby) + " redirected to " + origin(elsewhere)
              + ", which is not in marathon.urls, and Marathon credentials go only to configured Marathon URLs");
      assertThat(elsewhere.getRequestCount()).as("nothing, credentials least of all, reached the other host").isZero();
    }
  }

  @Test
  void withoutCredentialsARedirectToAnotherHostIsFollowed() throws Exception {
    standby.enqueue(new MockResponse.Builder().code(302)
        .setHeader("Location", marathon.url("/v2/tasks").toString()).build());
    marathon.enqueue(json(200, Payloads.marathon("tasks_get_response.json")));

    assertThat(client(standby).listTasks()).hasSize(2);
    assertThat(next(marathon).getHeaders().get("Authorization")).isNull();
  }

  @Test
  void aRedirectFromHttpsToPlainHttpIsRefusedEvenToAConfiguredMarathon(@org.junit.jupiter.api.io.TempDir
      java.nio.file.Path dir) throws Exception {
    okhttp3.tls.HeldCertificate ca = new okhttp3.tls.HeldCertificate.Builder().certificateAuthority(0).build();
    okhttp3.tls.HeldCertificate server = new okhttp3.tls.HeldCertificate.Builder()
        .addSubjectAlternativeName("localhost").addSubjectAlternativeName(marathon.getHostName())
        .signedBy(ca).build();
    java.nio.file.Path caFile = dir.resolve("ca.pem");
    java.nio.file.Files.writeString(caFile, ca.certificatePem());
    try (MockWebServer secure = new MockWebServer()) {
      secure.useHttps(new okhttp3.tls.HandshakeCertificates.Builder().heldCertificate(server).build().sslSocketFactory());
      secure.start();
      secure.enqueue(new MockResponse.Builder().code(302)
          .setHeader("Location", marathon.url("/v2/tasks?redirected=1").toString()).build());
      marathon.enqueue(new MockResponse.Builder().code(503).body("Could not determine the current leader").build());
      MarathonClient client = new MarathonClient(
          new MarathonSettings(urls(secure, marathon), null, null, "dcos-t0ken", caFile, null));

      assertThatThrownBy(client::listTasks).isInstanceOf(MarathonUnavailableException.class)
          .hasMessageContaining("refused: https://" + secure.url("/").host() + ":" + secure.getPort()
              + " redirected to " + origin(marathon) + ", a downgrade from https to plain http; run Marathon with"
              + " --disable_http so that it redirects to https");
      assertThat(next(secure).getHeaders().get("Authorization")).isEqualTo("token=dcos-t0ken");
      RecordedRequest atPlain = next(marathon);
      assertThat(atPlain.getUrl().queryParameter("redirected")).as("asked as the next URL, not by the redirect").isNull();
    }
  }

  private static String origin(MockWebServer server) {
    return "http://" + server.url("/").host() + ":" + server.getPort();
  }
}
