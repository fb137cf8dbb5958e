package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.testkit.EtcdServer;
import mdo.testkit.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The subscriber as a real process (its {@code Main}), killed with SIGKILL and started again. */
class SubscriberProcessTest {
  private Harness h = new Harness(EtcdServer.shared().endpoint());
  private SubscriberProcess process;

  @AfterEach
  void tearDown() throws Exception {
    if (process != null) process.close();
    h.close();
  }

  private SubscriberProcess start(String... extraArgs) throws Exception {
    if (process != null) process.close();
    process = SubscriberProcess.start(h.marathon.url(), h.etcdEndpoint, h.env, extraArgs);
    return process;
  }

  @Test
  void aKilledProcessLeavesTheRegistryIntactAndItsSuccessorKeepsTheOrdinals() throws Exception {
    h.marathon.putTask(h.task(1)).putTask(h.task(2)).putTask(h.task(3));
    SubscriberProcess first = start();
    h.awaitRegistry(r -> r.size() == 3, SubscriberProcess.START);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.healthCode() == 200);
    Map<String, InstanceRecord> before = h.registry();

    first.kill();
    assertThat(h.registry()).isEqualTo(before);

    h.marathon.removeTask(h.taskId(2)); // ended while no subscriber ran
    h.marathon.putTask(h.task(4));
    SubscriberProcess again = start(); // leads once the killed one's lease expired
    h.awaitRegistry(r -> r.keySet().equals(Set.of(h.taskId(1), h.taskId(3), h.taskId(4))), SubscriberProcess.START);
    Map<String, InstanceRecord> after = h.registry();
    assertThat(after.get(h.taskId(1)).ordinal()).isEqualTo(before.get(h.taskId(1)).ordinal());
    assertThat(after.get(h.taskId(3)).ordinal()).isEqualTo(before.get(h.taskId(3)).ordinal());
    assertThat(after.get(h.taskId(4)).ordinal()).isEqualTo(before.get(h.taskId(2)).ordinal());
    await().atMost(Duration.ofSeconds(20)).until(() -> again.healthCode() == 200);
    assertThat(again.output()).contains("started: subscriber for environment '" + h.env + "'")
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
      SubscriberProcess p = start("--etcd-ca", certificates.ca().toString(), "--etcd-cert",
          certificates.clientCert().toString(), "--etcd-key", certificates.clientKey().toString());
      h.awaitRegistry(r -> r.containsKey(h.taskId(1)), SubscriberProcess.START);
      await().atMost(Duration.ofSeconds(20)).until(() -> p.healthCode() == 200);
      p.kill();
    }
  }

  @Test
  void aClientCertificateWithoutItsKeyIsAUsageError() throws Exception {
    SubscriberProcess p = start("--etcd-cert", "/nonexistent/client.pem");
    assertThat(p.exitCode(SubscriberProcess.START)).isEqualTo(2);
    assertThat(p.output()).contains("give --etcd-cert and --etcd-key together");
  }
}
