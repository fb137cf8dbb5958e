package mdo.devcluster.cli;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** What the CLI commands share: paths relative to the caller, child processes, small HTTP probes. */
final class Helpers {
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  private Helpers() {}

  /** The repository root: {@code bin/devcluster} exports it; otherwise the working directory. */
  static Path repoRoot() {
    String root = System.getenv("MDO_REPO_ROOT");
    return Paths.get(root != null ? root : "").toAbsolutePath();
  }

  /** Relative paths on the command line mean the caller's directory ({@code bin/devcluster} cds to the root). */
  static Path fromCaller(String path) {
    Path p = Paths.get(path);
    if (p.isAbsolute()) return p;
    String caller = System.getenv("MDO_CALLER_DIR");
    return (caller != null ? Paths.get(caller) : Paths.get("")).resolve(p).toAbsolutePath().normalize();
  }

  /** True for 127.0.0.0/8, ::1 and "localhost". */
  static boolean isLoopback(String host) {
    try {
      return host.equals("localhost") || java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static Path defaultStateDir() {
    return repoRoot().resolve(".mdo/devcluster");
  }

  static String find(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      File candidate = new File(dir, binary);
      if (candidate.canExecute()) return candidate.getAbsolutePath();
    }
    return null;
  }

  /** Starts a long-lived child in its own session (so a terminal's Ctrl-C reaches only us), output to a log file. */
  static Process startChild(List<String> command, Path log) throws IOException {
    return startChild(command, log, java.util.Map.of());
  }

  /** As above, with extra environment variables (how secrets reach a child: never on its command line). */
  static Process startChild(List<String> command, Path log, java.util.Map<String, String> env) throws IOException {
    List<String> full = new ArrayList<>();
    String setsid = find("setsid");
    if (setsid != null) full.add(setsid);
    full.addAll(command);
    Files.createDirectories(log.getParent());
    ProcessBuilder builder = new ProcessBuilder(full)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().putAll(env);
    return builder.start();
  }

  /**
   * Writes {@code text} so that a reader sees the old content or the new, never a half-written file: other processes
   * (a waiting {@code up --detach}, {@code status}, {@code down}) poll these files.
   */
  static void writeAtomically(Path path, String text) throws IOException {
    Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static boolean portFree(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The body of a GET, or null when nothing answers with 2xx. */
  static String get(String url, String credentials) {
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2));
      if (credentials != null) {
        request.header("Authorization", "Basic "
            + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
      }
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return response.statusCode() / 100 == 2 ? response.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** True when something answers HTTP at the URL, whatever the status. */
  static boolean answers(String url) {
    try {
      HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.discarding());
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log at " + log + ")";
    }
  }
}
