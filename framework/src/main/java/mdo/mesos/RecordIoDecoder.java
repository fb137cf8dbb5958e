package mdo.mesos;

import java.util.function.Consumer;

/**
 * Splits a RecordIO byte stream ({@code <decimal length>\n<length bytes>}, no separator after the data: API.md §1.2)
 * into records, whatever the chunking: a length prefix or a record may span any number of reads, and one read may hold
 * many records. No HTTP, no threads; one decoder per stream.
 *
 * <p>Like stout's decoder, a bad length prefix fails the decoder for good (there is no way to find the next record).
 * Unlike it, the length is bounded: a garbage or hostile prefix must not make us allocate gigabytes, so a record
 * longer than {@code maxRecordBytes} is refused as soon as its prefix shows it. Zero-length records are legal (stout
 * encodes them; the master never sends one).
 */
public final class RecordIoDecoder {
  /**
   * One OFFERS event holds every offer of an allocation cycle, about 1 KB per agent: 64 MiB covers 50,000 agents
   * while still refusing a length no master sends.
   */
  public static final int DEFAULT_MAX_RECORD_BYTES = 64 << 20;

  private final int maxRecordBytes;
  private long length; // the prefix read so far, or the length of the record being filled
  private int prefixDigits; // digits of the current prefix; 0 while filling a record
  private byte[] record; // non-null while filling a record
  private int filled;
  private long offset; // bytes consumed since the start of the stream, for error messages
  private String failure;

  public RecordIoDecoder() {
    this(DEFAULT_MAX_RECORD_BYTES);
  }

  public RecordIoDecoder(int maxRecordBytes) {
    if (maxRecordBytes < 1) throw new IllegalArgumentException("maxRecordBytes must be positive, got " + maxRecordBytes);
    this.maxRecordBytes = maxRecordBytes;
  }

  /** Decodes {@code bytes[from, from + count)}, handing each completed record to {@code out} in stream order. */
  public void feed(byte[] bytes, int from, int count, Consumer<byte[]> out) throws RecordIoException {
    if (failure != null) throw new RecordIoException("decoder already failed: " + failure);
    int i = from;
    int end = from + count;
    while (i < end) {
      if (record == null) {
        byte b = bytes[i++];
        offset++;
        if (b == '\n') {
          startRecord(out);
        } else if (b >= '0' && b <= '9') {
          length = length * 10 + (b - '0');
          prefixDigits++;
          if (length > maxRecordBytes) {
            fail("length prefix '" + length + "' exceeds the maximum record size of " + maxRecordBytes + " bytes");
          }
        } else {
          fail("malformed length prefix: " + describe(b) + " where a digit or '\\n' was expected");
        }
      } else {
        int n = Math.min(end - i, record.length - filled);
        System.arraycopy(bytes, i, record, filled, n);
        filled += n;
        i += n;
        offset += n;
        if (filled == record.length) emit(out);
      }
    }
  }

  /** The stream ended: fine between records, an error inside a prefix or a record. */
  public void finish() throws RecordIoException {
    if (failure != null) throw new RecordIoException("decoder already failed: " + failure);
    if (record != null) fail("stream ended inside a record: " + filled + " of " + record.length + " bytes received");
    if (prefixDigits > 0) fail("stream ended inside a length prefix");
  }

  /** Bytes received but not yet handed out as a record (prefix digits count too); tests check it drains to 0. */
  int bufferedBytes() {
    return record != null ? filled : prefixDigits;
  }

  private void startRecord(Consumer<byte[]> out) throws RecordIoException {
    if (prefixDigits == 0) fail("malformed length prefix: empty (a '\\n' with no digits before it)");
    record = new byte[(int) length];
    filled = 0;
    prefixDigits = 0;
    if (record.length == 0) emit(out);
  }

  private void emit(Consumer<byte[]> out) {
    byte[] done = record;
    record = null;
    length = 0;
    filled = 0;
    out.accept(done);
  }

  /** Fails for good; {@code offset} counts the byte that was just consumed, so the culprit is at {@code offset - 1}. */
  private void fail(String message) throws RecordIoException {
    failure = message + " (stream byte " + (offset - 1) + ")";
    throw new RecordIoException(failure);
  }

  private static String describe(byte b) {
    int v = b & 0xff;
    return v >= 0x20 && v < 0x7f ? "'" + (char) v + "'" : String.format("byte 0x%02x", v);
  }
}
