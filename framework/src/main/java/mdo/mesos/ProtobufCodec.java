package mdo.mesos;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;

/**
 * {@code application/x-protobuf}: the binary encoding. Unknown fields and enum values a newer master adds are kept as
 * unknown fields instead of failing the parse (API.md A14: an unknown event type reads as {@code UNKNOWN}).
 */
public final class ProtobufCodec<T extends Message> implements MessageCodec<T> {
  public static final String MEDIA_TYPE = "application/x-protobuf";

  private final Parser<T> parser;

  @SuppressWarnings("unchecked")
  public ProtobufCodec(T prototype) {
    this.parser = (Parser<T>) prototype.getParserForType();
  }

  @Override
  public byte[] encode(T message) {
    return message.toByteArray();
  }

  @Override
  public T decode(byte[] bytes) throws MalformedMessageException {
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("not a valid protobuf message (" + bytes.length + " bytes): "
          + e.getMessage(), e);
    }
  }

  @Override
  public String mediaType() {
    return MEDIA_TYPE;
  }
}
