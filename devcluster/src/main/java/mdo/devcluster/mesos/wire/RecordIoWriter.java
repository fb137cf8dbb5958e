package mdo.devcluster.mesos.wire;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes records in Mesos' RecordIO framing ({@code stout/recordio.hpp}): the decimal length in bytes, a newline,
 * then exactly that many bytes, with nothing after them. The length counts encoded bytes, never characters.
 */
public final class RecordIoWriter {
  private final OutputStream out;

  public RecordIoWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes one record and flushes it, so the reader sees it now rather than when a buffer fills. */
  public void write(byte[] record) throws IOException {
    out.write(header(record.length));
    out.write(record);
    out.flush();
  }

  /** {@code "<length>\n"}. */
  static byte[] header(int length) {
    return (length + "\n").getBytes(StandardCharsets.US_ASCII);
  }
}
