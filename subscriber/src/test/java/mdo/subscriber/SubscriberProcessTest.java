package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mdo.registry.InstanceRecord;
import mdo.registry.EtcdSettings;
import mdo.testkit.EtcdServer;
import mdo.testkit.TestCertificates;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subscriber as a real process (its {@code Main}), killed with SIGKILL and started again. */
class SubscriberProcessTest {
  private Harness h = new Harness(EtcdServer.shared().endpoint());
  private final OkHttpClient http = new OkHttpClient();
  private Process process;
  private Path log;

  @AfterEach
  void tearDown() throws Exception {
    kill();
    h.close();
    if (log != null) Files.deleteIfExists(log);
  }

  private int startProcess(String... extraArgs) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    log = Files.createTempFile("mdo-subscriber-", ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "mdo.subscriber.Main", "--marathon", h.marathon.url(), "--etcd", h.etcdEndpoint, "--environment", h.env,
        "--port", String.valueOf(port)));
    command.addAll(List.of(extraArgs));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("MDO_SUBSCRIBER_TOKEN", Harness.TOKEN);
    process = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    Process started = process;
    Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly)); // even if this JVM dies mid-test
    return port;
  }

  private void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly(); // SIGKILL: no shutdown hook runs
    process.waitFor(10, TimeUnit.SECONDS);
    process = null;
  }

  private int health(int port) {
    try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute()) {
      return r.code();
    } catch (Exception e) {
      return -1;
    }
  }

  private static final Duration PROCESS_START = Duration.ofSeconds(40);

  @Test
  void aKilledProcessLeavesTheRegistryIntactAndItsSuccessorKeepsTheOrdinals() throws Exception {
    h.marathon.putTask(h.task(1)).putTask(h.task(2)).putTask(h.task(3));
    int port = startProcess();
    h.awaitRegistry(r -> r.size() == 3, PROCESS_START);
    await().atMost(Duration.ofSeconds(20)).until(() -> health(port) == 200);
    Map<String, InstanceRecord> before = h.registry();

    kill();
    assertThat(h.registry()).isEqualTo(before);

    h.marathon.removeTask(h.taskId(2)); // ended while no subscriber ran
    h.marathon.putTask(h.task(4));
    int again = startProcess();
    h.awaitRegistry(r -> r.keySet().equals(Set.of(h.taskId(1), h.taskId(3), h.taskId(4))), PROCESS_START);
    Map<String, InstanceRecord> after = h.registry();
    assertThat(after.get(h.taskId(1)).ordinal()).isEqualTo(before.get(h.taskId(1)).ordinal());
    assertThat(after.get(h.taskId(3)).ordinal()).isEqualTo(before.get(h.taskId(3)).ordinal());
    assertThat(after.get(h.taskId(4)).ordinal()).isEqualTo(before.get(h.taskId(2)).ordinal());
    await().atMost(Duration.ofSeconds(20)).until(() -> health(again) == 200);
    assertThat(Files.readString(log)).contains("started: subscriber for environment '" + h.env + "'")
        .doesNotContain(Harness.TOKEN);
  }

  @Test
  void writesTheRegistryToAnEtcdThatRequiresAClientCertificateGivenByFlags(@TempDir Path dir) throws Exception {
    TestCertificates certificates = TestCertificates.create(dir);
    try (EtcdServer tls = EtcdServer.startTls(certificates.etcdWithClientCertificates())) {
      h.close();
      h = new Harness(new EtcdSettings(tls.endpoints().stream().map(java.net.URI::create).toList(), null, null,
          certificates.ca(), certificates.clientCert(), certificates.clientKey()));
      h.marathon.putTask(h.task(1));
      int port = startProcess("--etcd-ca", certificates.ca().toString(), "--etcd-cert",
          certificates.clientCert().toString(), "--etcd-key", certificates.clientKey().toString());
      h.awaitRegistry(r -> r.containsKey(h.taskId(1)), PROCESS_START);
      await().atMost(Duration.ofSeconds(20)).until(() -> health(port) == 200);
      kill();
    }
  }

  @Test
  void aClientCertificateWithoutItsKeyIsAUsageError() throws Exception {
    startProcess("--etcd-cert", "/nonexistent/client.pem");
    assertThat(process.waitFor(PROCESS_START.toSeconds(), TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log)).contains("give --etcd-cert and --etcd-key together");
  }
}
