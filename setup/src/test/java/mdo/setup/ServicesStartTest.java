package mdo.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What setup/install writes for ZooKeeper and etcd starts the real Debian packages' servers (a one-node cluster on
 * loopback, its ports moved to free ones, its directories into the scratch root): the configuration is one they take,
 * not just one that looks right. The commands are the units' own ExecStart lines.
 */
class ServicesStartTest {
  @TempDir Path dir;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @Test
  void theEtcdMembersConfigurationStartsEtcd() throws Exception {
    Scratch node = new Scratch(dir, "127.0.0.1", "127.0.0.1");
    assertThat(node.install("etcd").code()).isZero();
    int client = freePort();
    int peer = freePort();
    String env = node.read("/etc/default/etcd").replace(":2379", ":" + client).replace(":2380", ":" + peer)
        .replace("/var/lib/etcd/", node.path("/var/lib/etcd").toString() + "/");
    Process etcd = start(execStart("etcd.service"), env, dir.resolve("etcd.log"));
    try {
      await("etcd healthy on its generated configuration").atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            assertThat(etcd.isAlive()).as(Files.readString(dir.resolve("etcd.log"))).isTrue();
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + client + "/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body().contains("\"health\":\"true\"");
          });
      assertThat(Files.readString(dir.resolve("etcd.log"))).contains("etcd1");
    } finally {
      stop(etcd);
    }
  }

  @Test
  void theZookeeperConfigurationStartsZookeeper() throws Exception {
    Scratch node = new Scratch(dir, "127.0.0.1", "127.0.0.1");
    assertThat(node.install("zookeeper").code()).isZero();
    int client = freePort();
    Path conf = node.path("/etc/zookeeper/mdo");
    Files.writeString(conf.resolve("zoo.cfg"), node.read("/etc/zookeeper/mdo/zoo.cfg")
        .replace("clientPort=2181", "clientPort=" + client)
        .replace("dataDir=/var/lib/zookeeper/mdo", "dataDir=" + node.path("/var/lib/zookeeper/mdo")));
    List<String> command = execStart("zookeeper.service").stream().map(a -> a.replace("$JAVA_OPTS", "-Xmx256m")
        .replace("/etc/zookeeper/mdo", conf.toString())).toList();
    Process zookeeper = start(command, "", dir.resolve("zookeeper.log"));
    try {
      String srvr = await("ZooKeeper answering on its generated configuration").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            assertThat(zookeeper.isAlive()).as(Files.readString(dir.resolve("zookeeper.log"))).isTrue();
            return fourLetterWord(client, "srvr");
          }, s -> s.contains("Mode: standalone"));
      assertThat(srvr).contains("Zookeeper version: 3.8");
      assertThat(Files.readString(dir.resolve("zookeeper.log"))).as("its log, through the unit's log4j setup")
          .contains("INFO");
    } finally {
      stop(zookeeper);
    }
  }

  /** The unit's ExecStart, its continuation lines joined, split into words. */
  static List<String> execStart(String unit) throws IOException {
    String text = Files.readString(UnitsTest.UNITS.resolve(unit)).replace("\\\n", " ");
    String line = text.lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
    return List.of(line.substring("ExecStart=".length()).trim().split("\\s+"));
  }

  /** Runs the command with the variables of an environment file (KEY=value lines). */
  static Process start(List<String> command, String environmentFile, Path log) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    for (String line : environmentFile.lines().toList()) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int eq = line.indexOf('=');
      builder.environment().put(line.substring(0, eq), line.substring(eq + 1));
    }
    return builder.start();
  }

  static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }

  static String fourLetterWord(int port, String word) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(2000);
      OutputStream out = socket.getOutputStream();
      out.write(word.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
