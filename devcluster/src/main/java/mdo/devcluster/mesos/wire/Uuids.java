package mdo.devcluster.mesos.wire;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.UUID;

/** UUIDs as Mesos carries them in protobuf {@code bytes} fields: 16 raw bytes (stout's {@code id::UUID}). */
public final class Uuids {
  private Uuids() {}

  /** A random (version 4) UUID as 16 bytes, like {@code id::UUID::random().toBytes()}. */
  public static ByteString random() {
    UUID uuid = UUID.randomUUID();
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return ByteString.copyFrom(bytes.array());
  }

  /**
   * {@code id::UUID::fromBytes}: exactly 16 bytes whose version nibble is one boost knows (1 to 5), else the master
   * refuses the call with "Not a valid UUID".
   */
  public static boolean valid(ByteString bytes) {
    if (bytes.size() != 16) return false;
    int version = (bytes.byteAt(6) & 0xF0) >> 4;
    return version >= 1 && version <= 5;
  }

  /** The canonical text form, for logs and ids. */
  public static String text(ByteString bytes) {
    ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
    return new UUID(buffer.getLong(), buffer.getLong()).toString();
  }
}
