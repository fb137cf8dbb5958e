package mdo.mesos;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;

/**
 * One wire format for one protobuf message type: what a Call is sent as and what each RecordIO record of the event
 * stream holds. The scheduler logic never sees bytes, so protobuf vs JSON is a one-class choice
 * ({@link WireFormat#codec}).
 */
public interface MessageCodec<T extends Message> {
  byte[] encode(T message);

  T decode(byte[] bytes) throws MalformedMessageException;

  /** The exact {@code Content-Type}/{@code Accept} value; the master compares it as a plain string (API.md C7). */
  String mediaType();

  /** One line for logs. */
  default String show(T message) {
    return TextFormat.shortDebugString(message);
  }
}
