package mdo.mesos;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code application/json} as the master reads and writes it (stout, API.md §1.4): snake_case proto field names (the
 * master silently ignores camelCase ones), enums by name, bytes as base64. Unknown fields and enum values are ignored
 * on input, as the master does and as events from a newer master need ({@code QUOTA_V2}); anything else that does not
 * fit the proto (an array where a message belongs, a string for a message) is refused. So is text that is not strict
 * JSON: JsonFormat's gson reader is lenient (it takes {@code "roles": <placeholder>}), the master's parser is not.
 */
public final class JsonCodec<T extends Message> implements MessageCodec<T> {
  public static final String MEDIA_TYPE = "application/json";
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

  private final T prototype;

  public JsonCodec(T prototype) {
    this.prototype = prototype;
  }

  @Override
  public byte[] encode(T message) {
    try {
      return PRINTER.print(message).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) { // only for Any fields, which the Mesos protos do not use
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getName() + " as JSON", e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public T decode(byte[] bytes) throws MalformedMessageException {
    try {
      STRICT.readTree(bytes);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
      throw new MalformedMessageException("not valid JSON: " + why, e);
    }
    Message.Builder builder = prototype.newBuilderForType();
    try {
      PARSER.merge(new String(bytes, StandardCharsets.UTF_8), builder);
      return (T) builder.build();
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      // JsonFormat reports syntax errors as unchecked gson exceptions and a missing required field from build()
      throw new MalformedMessageException("not a valid " + prototype.getDescriptorForType().getName() + " in JSON: "
          + e.getMessage(), e);
    }
  }

  @Override
  public String mediaType() {
    return MEDIA_TYPE;
  }
}
