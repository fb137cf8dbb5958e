package mdo.guestutils.cds;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import mdo.guestutils.GuestEnv;
import mdo.guestutils.Main;
import mdo.registry.RegistryKeys;

/**
 * The training run behind {@code bin/guestutils}' AppCDS archive: the lookups a container makes at boot, against a
 * loopback stand-in for etcd's JSON gateway, so the archive holds the classes of the real path (picocli, HTTP, JSON
 * streaming, the environment fallback and its warning, error messages) whatever command happens to run first. Prints
 * nothing; exits non-zero if a lookup did not answer as expected, and then the script keeps no archive.
 */
public final class CdsTraining {
  private static final String RECORD = "{\"service\":\"svc\",\"taskId\":\"svc.a\",\"instanceId\":\"svc.a\",\"ordinal\":0,"
      + "\"host\":\"10.0.0.5\",\"ports\":{\"client\":{\"host\":31000,\"container\":2181,\"protocol\":\"tcp\"},"
      + "\"peer\":{\"host\":31001,\"container\":2888,\"protocol\":\"tcp\"}},\"labels\":{\"rack\":\"r1\"},"
      + "\"state\":\"TASK_RUNNING\",\"healthy\":true,\"draining\":false,\"appId\":\"/svc\",\"appVersion\":\"v1\","
      + "\"agentId\":\"agent\",\"startedAt\":\"2026-01-01T00:00:00Z\",\"eventTimestamp\":\"2026-01-01T00:00:00Z\"}";

  public static void main(String[] args) throws IOException {
    HttpServer gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String key = RegistryKeys.instance("training", "svc", "svc.a");
    byte[] range = ("{\"header\":{\"revision\":\"7\"},\"kvs\":[{\"key\":\"" + b64(key.getBytes(StandardCharsets.UTF_8))
        + "\",\"value\":\"" + b64(RECORD.getBytes(StandardCharsets.UTF_8)) + "\",\"mod_revision\":\"7\"}],\"count\":\"1\"}")
        .getBytes(StandardCharsets.UTF_8);
    gateway.createContext("/v3/kv/range", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, range.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(range);
      }
    });
    gateway.start();
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(OutputStream.nullOutputStream())); // the fallback's warning is part of the path
    try {
      String etcd = "http://127.0.0.1:" + gateway.getAddress().getPort();
      GuestEnv env = new GuestEnv(Map.of("ETCD_ENDPOINTS", etcd, "MDO_ENVIRONMENT", "training", "SERVICE_NAME", "svc",
          "MESOS_TASK_ID", "svc.a", "HOST", "10.0.0.5", "PORT_CLIENT", "31000"));
      expect(0, env, "node-list", "svc", "--ports", "client,peer");
      expect(0, env, "node-list", "svc", "--minimum", "0", "--include-unready", "--label", "rack=r1", "--timeout", "1s");
      expect(0, env, "port", "client");
      expect(0, env, "port", "jmx", "--default", "7199");
      expect(0, env, "specific-host", "svc", "svc-0");
      expect(0, env, "specific-port", "svc", "svc.a", "peer");
      expect(0, env, "specific-exposed-port", "svc", "svc.a", "peer");
      for (String own : List.of("ordinal", "environment-name", "service-name", "container-name", "container-host-address")) {
        expect(0, env, own);
      }
      expect(1, env, "port", "jmx");
      expect(2, env, "node-list");
      expect(0, env, "port", "client", "--etcd", "http://127.0.0.1:" + closedPort(), "--etcd-timeout", "500ms");
    } finally {
      System.setErr(stderr);
      gateway.stop(0);
    }
  }

  private static void expect(int status, GuestEnv env, String... args) {
    PrintWriter discard = new PrintWriter(Writer.nullWriter());
    int actual = Main.run(args, env, discard, discard);
    if (actual != status) {
      throw new IllegalStateException("training: " + String.join(" ", args) + " exited " + actual + ", expected " + status);
    }
  }

  /** A loopback port nobody listens on: the environment fallback's path. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private CdsTraining() {}
}
