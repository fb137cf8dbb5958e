package mdo.marathon;

import java.util.List;
import mdo.command.Failure;

/** No Marathon URL answered (connection refused, timeout, 502/503 from every one). */
public class MarathonUnavailableException extends Failure {
  public MarathonUnavailableException(String method, String path, List<String> attempts, Throwable last) {
    super("Marathon unreachable for " + method + " " + path + ": " + String.join("; ", attempts), last);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
