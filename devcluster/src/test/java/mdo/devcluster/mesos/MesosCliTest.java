package mdo.devcluster.mesos;

import static mdo.devcluster.mesos.MesosHarness.commandTask;
import static mdo.devcluster.mesos.MesosHarness.framework;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import mdo.devcluster.Main;
import mdo.devcluster.mesos.resources.Resources;
import okhttp3.OkHttpClient;
import org.apache.mesos.v1.Protos.Filters;
import org.apache.mesos.v1.Protos.Offer;
import org.apache.mesos.v1.Protos.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/devcluster up --mesos --detach / status / down, with the dev cluster as a real child process. */
class MesosCliTest {
  @TempDir Path state;
  final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();

  @AfterEach
  void cleanUp() {
    Main.run("down", "--state-dir", state.toString(), "--grace", "5");
  }

  private record Run(int code, String out, String err) {}

  private static synchronized Run run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream capturedOut = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    System.setOut(new PrintStream(capturedOut, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
    try {
      int code = Main.run(args);
      return new Run(code, capturedOut.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** A free port whose successor is free too (etcd's peer port). */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      try (ServerSocket next = new ServerSocket(port + 1)) {
        return port;
      } catch (IOException taken) {
        // try another pair
      }
    }
    throw new IllegalStateException("no free port pair");
  }

  @Test
  void upMesosServesAMasterUntilDownStopsItAndItsTasks() throws Exception {
    int port = freePort();
    int etcdPort = freePort();
    Run up = run("up", "--mesos", "--detach", "--port", Integer.toString(port), "--state-dir", state.toString(),
        "--port-range", "37100-37199", "--agent-resources", "cpus:2;mem:1024;disk:1000", "--etcd", "--etcd-port",
        Integer.toString(etcdPort));
    assertThat(up.code()).as(up.out() + up.err()).isZero();
    String url = "http://127.0.0.1:" + port;
    assertThat(up.out()).contains("Mesos master on " + url).contains("etcd healthy");

    TestScheduler s = TestScheduler.subscribe(url, framework("cli").build(), false, http);
    Offer offer = s.offer();
    Resources offered = Resources.of(offer.getResourcesList());
    assertThat(offered.scalar("cpus")).isEqualTo(2.0);
    assertThat(offered.scalar("mem")).isEqualTo(1024.0);
    assertThat(offered.ranges("ports")).containsExactly(Resources.range(37100, 37199));
    s.accept(offer, Filters.newBuilder().setRefuseSeconds(0).build(),
        commandTask(offer, "cli-task", "exec sleep 300", 0.5, 64).build());
    s.ackUpdate("cli-task", TaskState.TASK_STARTING);
    long pid = s.ackUpdate("cli-task", TaskState.TASK_RUNNING).getContainerStatus().getExecutorPid();

    Run status = run("status", "--state-dir", state.toString());
    assertThat(status.code()).isZero();
    assertThat(status.out()).contains("devcluster: running", "etcd: running", "mesos master: " + url
        + " (version 1.11.0)",
        "cpus 0.5/2.0", "ports [37100-37199]", "framework: " + s.frameworkId.getValue() + " cli connected tasks 1"
            + " {TASK_RUNNING=1}");
    s.close();

    long etcdPid = Long.parseLong(Files.readString(state.resolve("etcd.pid")).trim().split(" ")[0]);
    Run down = run("down", "--state-dir", state.toString());
    assertThat(down.out()).contains("stopped devcluster");
    await().atMost(Duration.ofSeconds(15)).until(() -> !MesosHarness.alive(pid) && !MesosHarness.alive(etcdPid));
    assertThat(Files.exists(state.resolve("devcluster.pid"))).isFalse();
    assertThat(run("status", "--state-dir", state.toString()).code()).isEqualTo(1);
  }

  @Test
  void badMesosOptionsAreRefusedBeforeAnythingStarts() {
    Run subscriber = run("up", "--mesos", "--subscriber", "config.yaml", "--state-dir", state.toString());
    assertThat(subscriber.code()).isEqualTo(2);
    assertThat(subscriber.err()).contains("belong to the Marathon mode, not to --mesos");
    Run standby = run("up", "--mesos", "--standby-of", "http://127.0.0.1:8080", "--state-dir", state.toString());
    assertThat(standby.code()).isEqualTo(2);
    Run resources = run("up", "--mesos", "--agent-resources", "cpus:lots", "--port", "0", "--state-dir",
        state.toString());
    assertThat(resources.code()).isEqualTo(2);
    assertThat(resources.err()).contains("bad resource 'cpus:lots'");
    Run open = run("up", "--mesos", "--host", "0.0.0.0", "--state-dir", state.toString());
    assertThat(open.code()).isEqualTo(1);
    assertThat(open.err()).contains("refusing to serve on 0.0.0.0 without --auth");
    assertThat(Files.exists(state.resolve("devcluster.pid"))).isFalse();
  }
}
