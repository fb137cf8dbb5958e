package mdo.mesos;

import static mdo.mesos.StubMasters.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mdo.mesos.ConnectionStatus.State;
import mdo.mesos.StubMaster.Received;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.apache.mesos.v1.scheduler.Protos.Call;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding and keeping the leading master: redirects, 503, dead masters, silent streams, credentials, TLS. */
class MasterFailoverTest {
  @RegisterExtension final StubMasters stubs = new StubMasters();
  private final ListenerRecorder recorder = new ListenerRecorder();

  private SchedulerConnection connect(MesosSettings settings) {
    return stubs.connect(settings, new InMemoryFrameworkIdStore(), recorder);
  }

  @Test
  void aStandbyRedirectsToTheLeaderWhosePathIsMasterApiV1Scheduler() throws Exception {
    StubMaster leader = stubs.master();
    StubMaster standby = stubs.master().follow(leader);
    SchedulerConnection connection = connect(settings(standby.base()));
    Received redirected = standby.next();
    assertThat(redirected.status()).isEqualTo(307);
    Received subscribe = leader.next();
    assertThat(subscribe.path()).isEqualTo("/master/api/v1/scheduler");
    assertThat(subscribe.body()).isEqualTo(redirected.body()); // the same call, re-sent
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(connection.status().master()).isEqualTo(leader.base() + "/master/api/v1/scheduler");

    connection.revive();
    Received revive = leader.next(Call.Type.REVIVE);
    assertThat(revive.path()).isEqualTo("/master/api/v1/scheduler");
    assertThat(revive.streamId()).isEqualTo(leader.streamId());
    assertThat(revive.status()).isEqualTo(202);
    assertThat(standby.received()).hasSize(1);
  }

  @Test
  void noLeaderElectedAndDeadMastersMoveOnToTheNextMaster() throws Exception {
    StubMaster dead = stubs.master();
    String deadUrl = dead.base();
    dead.close();
    StubMaster electing = stubs.master().follow(null);
    StubMaster leader = stubs.master();
    SchedulerConnection connection = connect(settings(deadUrl, electing.base(), leader.base()));
    Received unavailable = electing.next();
    assertThat(unavailable.status()).isEqualTo(503);
    assertThat(unavailable.answer()).isEqualTo("No leader elected");
    assertThat(leader.next().status()).isEqualTo(200);
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(connection.status().state()).isEqualTo(State.SUBSCRIBED);
    assertThat(connection.status().lastError()).isNull();
  }

  @Test
  void failedAttemptsBackOffExponentially() throws Exception {
    StubMaster electing = stubs.master().follow(null);
    SchedulerConnection connection = connect(MesosSettings.of(electing.base())
        .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(100), Duration.ofMillis(800)));
    long previous = 0;
    List<Long> gaps = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      electing.next();
      long now = System.nanoTime();
      if (previous != 0) gaps.add((now - previous) / 1_000_000);
      previous = now;
    }
    // 100, 200, 400, 800 ms each with 25 % jitter; a loaded machine only makes gaps longer
    assertThat(gaps.get(0)).isGreaterThanOrEqualTo(70);
    assertThat(gaps.get(3)).isGreaterThanOrEqualTo(590);
    assertThat(connection.status().state()).isEqualTo(State.CONNECTING);
    assertThat(connection.status().lastError()).contains("HTTP 503: No leader elected");
  }

  @Test
  void aSilentStreamIsAbandonedAfterFiveHeartbeatIntervalsAndResubscribedWithANewStreamId() throws Exception {
    StubMaster master = stubs.master().heartbeatEvery(Duration.ofMillis(200));
    SchedulerConnection connection = connect(settings(master.base()));
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    String first = master.streamId();
    await().atMost(Duration.ofSeconds(10)).until(() -> recorder.heartbeats() >= 3);
    long silentSince = System.nanoTime();
    master.stallStream();
    String disconnect = recorder.nextDisconnect();
    long detectedAfter = (System.nanoTime() - silentSince) / 1_000_000;
    assertThat(disconnect).contains("no event for 1000 ms while waiting for a HEARTBEAT (every 200 ms)");
    assertThat(detectedAfter).isGreaterThanOrEqualTo(800); // the last heartbeat may have come up to 200 ms before
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    String second = master.streamId();
    assertThat(second).isNotEqualTo(first);
    connection.kill(org.apache.mesos.v1.Protos.TaskID.newBuilder().setValue("t").build(), null);
    Received kill = master.next(Call.Type.KILL);
    assertThat(kill.streamId()).isEqualTo(second);
    assertThat(kill.status()).isEqualTo(202);
  }

  @Test
  void aSubscriptionThatNeverSaysSubscribedIsAbandonedAfterTheRequestTimeout() throws Exception {
    StubMaster master = stubs.master().stallNextStream();
    stubs.connect(MesosSettings.of(master.base())
        .withTimeouts(Duration.ofMillis(500), Duration.ofMillis(50), Duration.ofMillis(200)),
        new InMemoryFrameworkIdStore(), recorder);
    Received silent = master.next();
    assertThat(silent.status()).isEqualTo(200);
    recorder.nextEvent(Event.Type.SUBSCRIBED); // from the second subscription
    Received second = master.next(Call.Type.SUBSCRIBE);
    assertThat(second.call().hasFrameworkId()).isFalse(); // the silent one never named the framework
    recorder.assertExhausted();
  }

  @Test
  void credentialsGoOnlyToConfiguredMasters() throws Exception {
    StubMaster leader = stubs.master();
    StubMaster standby = stubs.master().requireCredentials("mdo", "s3cret").follow(leader);
    SchedulerConnection connection = connect(settings(standby.base()).withCredentials("mdo", "s3cret"));
    assertThat(standby.next().authorization()).isEqualTo(okhttp3.Credentials.basic("mdo", "s3cret"));
    Received atLeader = leader.next();
    assertThat(atLeader.authorization()).isNull();
    assertThat(atLeader.call().getSubscribe().getFrameworkInfo().getPrincipal()).isEqualTo("mdo");
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    connection.revive();
    assertThat(leader.next(Call.Type.REVIVE).authorization()).isNull();
  }

  @Test
  void aConfiguredLeaderGetsCredentialsAfterARedirectToo() throws Exception {
    StubMaster leader = stubs.master().requireCredentials("mdo", "s3cret");
    StubMaster standby = stubs.master().requireCredentials("mdo", "s3cret").follow(leader);
    SchedulerConnection connection = connect(settings(standby.base(), leader.base()).withCredentials("mdo", "s3cret"));
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    connection.revive();
    assertThat(leader.received()).allSatisfy(r -> assertThat(r.status()).isIn(200, 202));
    assertThat(leader.received()).extracting(Received::authorization)
        .containsOnly(okhttp3.Credentials.basic("mdo", "s3cret"));
  }

  @Test
  void aLeaderThatWantsCredentialsButIsNotConfiguredStopsWithAnExplanation() throws Exception {
    StubMaster leader = stubs.master().requireCredentials("mdo", "s3cret");
    StubMaster standby = stubs.master().follow(leader);
    SchedulerConnection connection = connect(settings(standby.base()).withCredentials("mdo", "s3cret"));
    SubscriptionRefusedException failure = recorder.nextFailure();
    assertThat(failure.status()).isEqualTo(401);
    assertThat(failure.getMessage()).contains("credentials are sent only to the configured masters, and "
        + leader.hostAndPort() + " is not one of them");
    assertThat(connection.status().state()).isEqualTo(State.FAILED);
  }

  @Test
  void aWrongSecretStopsWithoutRetrying() throws Exception {
    StubMaster master = stubs.master().requireCredentials("mdo", "s3cret");
    connect(settings(master.base()).withCredentials("mdo", "wrong"));
    SubscriptionRefusedException failure = recorder.nextFailure();
    assertThat(failure.getMessage()).contains("HTTP 401").contains("check the principal and secret")
        .doesNotContain("wrong");
    assertThat(master.received()).hasSize(1);
  }

  @Test
  void httpsMastersAreVerifiedAgainstTheCaFile(@TempDir Path dir) throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).commonName("mdo test CA").build();
    HeldCertificate serverCert = new HeldCertificate.Builder().signedBy(ca)
        .addSubjectAlternativeName("localhost").addSubjectAlternativeName("127.0.0.1").build();
    HandshakeCertificates serverSide = new HandshakeCertificates.Builder().heldCertificate(serverCert).build();
    StubMaster master = stubs.add(new StubMaster().startHttps(serverSide.sslSocketFactory()));
    assertThat(master.base()).startsWith("https://");
    Path caFile = dir.resolve("ca.pem");
    Files.writeString(caFile, ca.certificatePem());

    ListenerRecorder untrusting = new ListenerRecorder();
    SchedulerConnection withoutCa = stubs.connect(settings(master.base()), new InMemoryFrameworkIdStore(), untrusting);
    await().atMost(Duration.ofSeconds(10)).until(() -> withoutCa.status().lastError() != null);
    assertThat(withoutCa.status().lastError()).contains("cannot subscribe at " + master.base());
    assertThat(withoutCa.status().state()).isEqualTo(State.CONNECTING);
    withoutCa.close();
    untrusting.assertExhausted();

    connect(settings(master.base()).withCaFile(caFile));
    recorder.nextEvent(Event.Type.SUBSCRIBED);
    assertThat(master.received()).extracting(Received::status).contains(200);
  }
}
