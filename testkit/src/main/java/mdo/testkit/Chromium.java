package mdo.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real browser for tests: headless Chromium renders a page and the test reads the DOM it produced. Fails (never
 * skips) when Chromium is missing. {@link #hostileSite} serves a page from an origin of its own, as another web site
 * open on a developer's machine would.
 */
public final class Chromium {
  private Chromium() {}

  /** Renders {@code url}, letting scripts run for up to {@code scriptMillis} of virtual time, and returns the DOM. */
  public static String dumpDom(String url, long scriptMillis) throws IOException, InterruptedException {
    String binary = binary();
    Path profile = Files.createTempDirectory("mdo-chromium-");
    Path out = profile.resolve("dom.html");
    List<String> command = new ArrayList<>(List.of(binary, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
    if (scriptMillis > 0) command.add("--virtual-time-budget=" + scriptMillis);
    command.addAll(List.of("--dump-dom", url));
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
        .redirectError(profile.resolve("stderr.txt").toFile()).start();
    try {
      if (!p.waitFor(90, TimeUnit.SECONDS)) throw new AssertionError("chromium did not finish within 90 s");
      String dom = Files.readString(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0 || dom.isBlank()) {
        throw new AssertionError("chromium exited " + p.exitValue() + ": " + Files.readString(profile.resolve("stderr.txt")));
      }
      return dom;
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  /** A site of its own origin (loopback, a port of its own) serving {@code html} at {@code /}; close it after use. */
  public static HttpServer hostileSite(String html) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
      byte[] page = html.getBytes(StandardCharsets.UTF_8);
      server.createContext("/", exchange -> {
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.sendResponseHeaders(200, page.length);
        try (OutputStream body = exchange.getResponseBody()) {
          body.write(page);
        }
      });
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A page that sends what a hostile site can send without asking the target first (a "no-cors" fetch: the body goes
   * as {@code text/plain}, the answer stays unreadable), then shows in its title whether the browser sent it.
   */
  public static String postingPage(String method, String url, String body) {
    return "<html><head><title>loading</title></head><body><script>"
        + "fetch(" + js(url) + ", {method: " + js(method) + ", mode: 'no-cors'"
        + (body == null ? "" : ", body: " + js(body)) + "})"
        + ".then(() => { document.title = 'sent'; }, e => { document.title = 'failed: ' + e; });"
        + "</script></body></html>";
  }

  private static String js(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'").replace("<", "\\x3c") + "'";
  }

  private static String binary() {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
        File f = new File(dir, name);
        if (f.canExecute()) return f.getPath();
      }
    }
    throw new AssertionError("chromium not found on PATH: this test uses a real browser. "
        + "Install it: sudo apt-get install -y chromium");
  }
}
