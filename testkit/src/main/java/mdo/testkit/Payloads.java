package mdo.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Real Marathon and Mesos payloads, copied verbatim from their repositories (see
 * {@code reference/marathon/payloads/SOURCES.md} in this module's resources). Tests feed these to the code under test
 * instead of JSON written by hand.
 */
public final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Payloads() {}

  /** A file under {@code reference/marathon/payloads/}, e.g. {@code "events/status_update_event.json"}. */
  public static String marathon(String path) {
    return read("reference/marathon/payloads/" + path);
  }

  /** A Marathon payload that is a JSON object, parsed; a fresh copy each call, so a test may change it. */
  public static ObjectNode marathonJson(String path) {
    try {
      return (ObjectNode) JSON.readTree(marathon(path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A file under {@code reference/mesos/payloads/}. */
  public static String mesos(String path) {
    return read("reference/mesos/payloads/" + path);
  }

  /** Strips the {@code //} line comments of the {@code *.jsonc} fixtures so a JSON parser accepts them. */
  public static String withoutComments(String jsonc) {
    StringBuilder out = new StringBuilder();
    for (String line : jsonc.split("\n", -1)) {
      int at = commentStart(line);
      out.append(at < 0 ? line : line.substring(0, at)).append('\n');
    }
    return out.toString();
  }

  private static int commentStart(String line) {
    boolean inString = false;
    for (int i = 0; i < line.length() - 1; i++) {
      char c = line.charAt(i);
      if (c == '"' && (i == 0 || line.charAt(i - 1) != '\\')) inString = !inString;
      if (!inString && c == '/' && line.charAt(i + 1) == '/') return i;
    }
    return -1;
  }

  private static String read(String resource) {
    try (InputStream in = Payloads.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) throw new IllegalArgumentException("no such payload: " + resource);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
