package mdo.mesos;

import java.io.IOException;

/** The event stream is not valid RecordIO: a bad length prefix, an oversized record, or a record cut off by EOF. */
public final class RecordIoException extends IOException {
  public RecordIoException(String message) {
    super(message);
  }
}
