package mdo.devcluster.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real etcd on loopback for the dev cluster, data under {@code <state-dir>/etcd}, log in {@code etcd.log}. */
final class EtcdProcess {
  static final String INSTALL_HINT = "etcd is not installed (no `etcd` on the PATH). Install it with:"
      + " sudo apt-get install etcd-server   (Debian/Ubuntu), or set ETCD_BIN=/path/to/etcd";
  private final Process process;
  private final String url;

  private EtcdProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  /** Starts etcd and waits until {@code /health} says true; throws with a clear message otherwise. */
  static EtcdProcess start(Path stateDir, int clientPort) throws IOException {
    String binary = System.getenv("ETCD_BIN") != null ? System.getenv("ETCD_BIN") : Helpers.find("etcd");
    if (binary == null) throw new IllegalStateException(INSTALL_HINT);
    int peerPort = clientPort + 1;
    for (int port : List.of(clientPort, peerPort)) {
      if (!Helpers.portFree("127.0.0.1", port)) {
        throw new IllegalStateException("port " + port + " on 127.0.0.1 is already in use; is another etcd running?"
            + " Pick another with --etcd-port");
      }
    }
    String client = "http://127.0.0.1:" + clientPort;
    String peer = "http://127.0.0.1:" + peerPort;
    Path log = stateDir.resolve("etcd.log");
    Process process = Helpers.startChild(List.of(binary, "--name", "devcluster",
        "--data-dir", stateDir.resolve("etcd").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
        "--initial-cluster", "devcluster=" + peer), log);
    PidFile.in(stateDir, "etcd").write(process.toHandle());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("etcd exited with status " + process.exitValue() + ":\n"
            + Helpers.tail(log, 15));
      }
      String health = Helpers.get(client + "/health", null);
      if (health != null && health.contains("\"health\":\"true\"")) return new EtcdProcess(process, client);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    PidFile.stop(process.toHandle(), Duration.ofSeconds(5));
    throw new IllegalStateException("etcd did not become healthy within 30 s:\n" + Helpers.tail(log, 15));
  }

  String url() {
    return url;
  }

  void stop(Path stateDir) {
    PidFile.stop(process.toHandle(), Duration.ofSeconds(10));
    PidFile.in(stateDir, "etcd").delete();
  }
}
