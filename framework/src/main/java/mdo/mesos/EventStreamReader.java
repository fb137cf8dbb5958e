package mdo.mesos;

import com.google.protobuf.Message;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;

/**
 * Reads the SUBSCRIBE response body: bytes as they arrive, RecordIO framing, then one message per record. The live
 * stream and the tests' recorded payloads go through this same code.
 */
public final class EventStreamReader<T extends Message> {
  private static final int READ_SIZE = 16 * 1024;

  private final InputStream in;
  private final MessageCodec<T> codec;
  private final RecordIoDecoder decoder;
  private final byte[] buffer = new byte[READ_SIZE];
  private final ArrayDeque<byte[]> records = new ArrayDeque<>();
  private boolean ended;

  public EventStreamReader(InputStream in, MessageCodec<T> codec, RecordIoDecoder decoder) {
    this.in = in;
    this.codec = codec;
    this.decoder = decoder;
  }

  /**
   * The next message, blocking until it is complete; null once the stream ended cleanly between records. Throws a
   * transport {@link IOException}, a {@link RecordIoException} (bad framing, or EOF inside a record) or a
   * {@link MalformedMessageException}; the stream is unusable after any of them.
   */
  public T next() throws IOException {
    while (records.isEmpty()) {
      if (ended) return null;
      int n = in.read(buffer);
      if (n < 0) {
        ended = true;
        decoder.finish();
        return null;
      }
      decoder.feed(buffer, 0, n, records::add);
    }
    return codec.decode(records.poll());
  }
}
