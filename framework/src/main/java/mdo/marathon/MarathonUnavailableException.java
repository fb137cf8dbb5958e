package mdo.marathon;

import java.util.List;

/** No Marathon URL answered (connection refused, timeout, 502/503 from every one). */
public class MarathonUnavailableException extends RuntimeException {
  public MarathonUnavailableException(String method, String path, List<String> attempts, Throwable last) {
    super("Marathon unreachable for " + method + " " + path + ": " + String.join("; ", attempts), last);
  }
}
