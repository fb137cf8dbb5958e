package mdo.mesos;

import java.io.IOException;

/** A record or request body that does not decode into the expected protobuf message. */
public final class MalformedMessageException extends IOException {
  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
