package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each long-running image, started the way its Dockerfile documents: its health probe (the Dockerfile's HEALTHCHECK
 * command, which podman's OCI images do not carry) passes, and on SIGTERM it stops by itself well within the grace
 * period, not by the SIGKILL that ends it (exit 137). The subscriber's run is in {@link SubscriberImageIT}.
 */
class ImageRuntimeIT {
  static final Duration GRACE = Duration.ofSeconds(10);
  Podman podman = new Podman();

  @BeforeAll
  @Timeout(value = 20, unit = java.util.concurrent.TimeUnit.MINUTES)
  static void build() {
    Images.built();
  }

  @AfterEach
  void cleanUp() {
    podman.close();
  }

  @Test
  void etcdIsHealthyAndStopsOnSigterm() {
    String etcd = podman.start(Podman.name("etcd"), List.of(), Images.get("etcd").ref());
    awaitHealthy(etcd, "etcd");
    assertStopsWithinGrace(etcd);
  }

  @Test
  void theDevClusterIsHealthyAndStopsOnSigterm() {
    String cluster = podman.start(Podman.name("devcluster"), List.of("-e", "MDO_DEVCLUSTER_AUTH=it:pass-" + ProcessHandle.current().pid()),
        Images.get("devcluster").ref());
    awaitHealthy(cluster, "devcluster");
    assertThat(Podman.exec(cluster, "curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/v2/apps").out())
        .as("the API without credentials").isEqualTo("401");
    assertStopsWithinGrace(cluster);
  }

  @Test
  void theDevClusterRefusesToServeEveryInterfaceWithoutCredentials() {
    String cluster = podman.start(Podman.name("devcluster-open"), List.of(), Images.get("devcluster").ref());
    await("the dev cluster to refuse").atMost(Duration.ofSeconds(60))
        .until(() -> Podman.inspect(cluster, "{{.State.Status}}").equals("exited"));
    assertThat(Podman.inspect(cluster, "{{.State.ExitCode}}")).isEqualTo("1");
    assertThat(Podman.logs(cluster)).contains("refusing to serve on 0.0.0.0 without --auth");
  }

  @Test
  void theSampleIsHealthyAndStopsOnSigterm() {
    // No etcd: guestutils answers from Marathon's variables, as it does while etcd is down.
    String sample = podman.start(Podman.name("sample"), List.of("-e", "SERVICE_NAME=peers", "-e", "MESOS_TASK_ID=peers.1",
        "-e", "PORT_HTTP=8080", "-e", "HOST=127.0.0.1", "-e", "ETCD_ENDPOINTS=http://127.0.0.1:9"), Images.get("sample").ref());
    awaitHealthy(sample, "sample");
    assertThat(Podman.logs(sample)).contains("sample entrypoint: peers binds port 8080");
    assertStopsWithinGrace(sample);
  }

  @Test
  void guestutilsWatchStopsOnSigterm() {
    String watch = podman.start(Podman.name("watch"), List.of("--network", "none", "-e", "MDO_ENVIRONMENT=it"),
        Images.get("guestutils").ref(), "watch", "peers", "--etcd", "http://127.0.0.1:9");
    await("the watch to run").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
        .until(() -> Podman.exec(watch, "cat /proc/1/cmdline | tr '\\0' ' '").out().contains("mdo.guestutils.Main watch"));
    assertStopsWithinGrace(watch);
  }

  /** Runs the Dockerfile's HEALTHCHECK command in the container until it succeeds. */
  static void awaitHealthy(String container, String image) {
    String probe = Images.healthCheck(image);
    await(image + " healthy by `" + probe + "`").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
        .until(() -> {
          if (!Podman.inspect(container, "{{.State.Status}}").equals("running")) {
            throw new AssertionError(image + " is not running:\n" + Podman.logs(container));
          }
          return Podman.exec(container, probe).code() == 0;
        });
  }

  /** {@code podman stop --time GRACE}: SIGTERM, SIGKILL after the grace period. The container must not need it. */
  static void assertStopsWithinGrace(String container) {
    long start = System.nanoTime();
    Podman.run("stop", "--time", Long.toString(GRACE.toSeconds()), container).ok();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String code = Podman.inspect(container, "{{.State.ExitCode}}");
    assertThat(code).as("exit code of %s (137 = SIGKILL after the grace period)\n%s", container, Podman.logs(container))
        .isIn("0", "143");
    assertThat(took).as("time %s took to stop", container).isLessThan(GRACE.minusSeconds(5));
  }
}
