package mdo.devcluster.mesos.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Protobuf to and from JSON the way the Mesos master does it (stout's {@code protobuf.hpp} and {@code jsonify}), not
 * the way protobuf's {@code JsonFormat} does: fields are matched by their proto (snake_case) name only, unknown keys
 * are skipped silently, keys are visited in sorted order (stout keeps objects in a {@code std::map}), numbers may come
 * as strings, an unknown enum name drops an optional field and fails a required one, {@code null} means unset, bytes
 * are base64. Output names fields by proto name in declaration order, writes 64-bit integers as numbers and includes
 * unset optional fields that declare an explicit default (unless deprecated).
 */
public final class StoutJson {
  /** The body is not JSON at all: the master answers "Failed to parse body into JSON: ...". */
  public static final class SyntaxError extends Exception {
    SyntaxError(String message) {
      super(message);
    }
  }

  /** The JSON does not fit the message: the master answers "Failed to convert JSON into Call protobuf: ...". */
  public static final class ConversionError extends Exception {
    ConversionError(String message) {
      super(message);
    }
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = new JsonFactory();

  private StoutJson() {}

  /** Parses {@code body} into {@code builder}; the result is complete (every required field set). */
  public static <B extends Message.Builder> B parse(String body, B builder) throws SyntaxError, ConversionError {
    JsonNode root = readOne(body);
    if (!root.isObject()) throw new ConversionError("Expecting a JSON object");
    parseObject(root, builder);
    if (!builder.isInitialized()) {
      throw new ConversionError("Missing required fields: " + String.join(", ",
          builder.findInitializationErrors()));
    }
    return builder;
  }

  /** stout's {@code JSON::parse}: exactly one JSON value, whitespace around it allowed. */
  private static JsonNode readOne(String text) throws SyntaxError {
    try (com.fasterxml.jackson.core.JsonParser parser = MAPPER.createParser(text)) {
      JsonNode value = MAPPER.readTree(parser);
      if (value == null || value.isMissingNode()) throw new SyntaxError(syntaxError(text, null));
      // picojson stops after one value; stout refuses whatever follows it.
      String rest = text.substring((int) Math.min(text.length(), parser.currentLocation().getCharOffset())).strip();
      if (!rest.isEmpty()) throw new SyntaxError("Parsed JSON included non-whitespace trailing characters: " + rest);
      return value;
    } catch (JsonProcessingException e) {
      throw new SyntaxError(syntaxError(text, e));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** picojson's wording, which the master passes on: {@code syntax error at line N near: <rest of that line>}. */
  private static String syntaxError(String body, JsonProcessingException e) {
    JsonLocation at = e == null ? null : e.getLocation();
    int line = at == null ? 1 : Math.max(1, at.getLineNr());
    int offset = at == null ? body.length() : (int) Math.min(body.length(), Math.max(0, at.getCharOffset()));
    int end = body.indexOf('\n', offset);
    String near = body.substring(Math.max(0, offset - 1), end < 0 ? body.length() : end);
    return "syntax error at line " + line + " near: " + near;
  }

  private static void parseObject(JsonNode object, Message.Builder builder) throws ConversionError {
    Map<String, JsonNode> sorted = new TreeMap<>();
    object.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
    for (Map.Entry<String, JsonNode> entry : sorted.entrySet()) {
      FieldDescriptor field = builder.getDescriptorForType().findFieldByName(entry.getKey());
      if (field != null) apply(builder, field, entry.getValue());
    }
  }

  private static void apply(Message.Builder builder, FieldDescriptor field, JsonNode value) throws ConversionError {
    if (value.isNull()) return;
    if (value.isArray()) {
      if (!field.isRepeated()) throw notExpecting("array", field);
      for (JsonNode element : value) apply(builder, field, element);
    } else if (value.isObject()) {
      applyObject(builder, field, value);
    } else if (value.isTextual()) {
      applyString(builder, field, value.asText());
    } else if (value.isNumber()) {
      applyNumber(builder, field, value);
    } else if (value.isBoolean()) {
      if (field.getType() != FieldDescriptor.Type.BOOL) throw notExpecting("boolean", field);
      set(builder, field, value.booleanValue());
    } else {
      throw notExpecting(value.getNodeType().name().toLowerCase(java.util.Locale.ROOT), field);
    }
  }

  private static void applyObject(Message.Builder builder, FieldDescriptor field, JsonNode object)
      throws ConversionError {
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) throw notExpecting("object", field);
    if (field.isMapField()) {
      Map<String, JsonNode> sorted = new TreeMap<>();
      object.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
        Message.Builder entry = builder.newBuilderForField(field);
        FieldDescriptor keyField = entry.getDescriptorForType().findFieldByNumber(1);
        FieldDescriptor valueField = entry.getDescriptorForType().findFieldByNumber(2);
        applyString(entry, keyField, e.getKey());
        apply(entry, valueField, e.getValue());
        builder.addRepeatedField(field, entry.buildPartial());
      }
    } else if (field.isRepeated()) {
      Message.Builder element = builder.newBuilderForField(field);
      parseObject(object, element);
      builder.addRepeatedField(field, element.buildPartial());
    } else {
      // A second object for the same field merges into the first, as MutableMessage does in stout.
      Message.Builder nested = builder.newBuilderForField(field);
      if (builder.hasField(field)) nested.mergeFrom((Message) builder.getField(field));
      parseObject(object, nested);
      builder.setField(field, nested.buildPartial());
    }
  }

  private static void applyString(Message.Builder builder, FieldDescriptor field, String text) throws ConversionError {
    switch (field.getType()) {
      case STRING -> set(builder, field, text);
      case BYTES -> {
        try {
          set(builder, field, ByteString.copyFrom(base64Decode(text)));
        } catch (IllegalArgumentException e) {
          throw new ConversionError("Failed to base64 decode bytes field '" + field.getName() + "': "
              + e.getMessage());
        }
      }
      case ENUM -> {
        EnumValueDescriptor value = field.getEnumType().findValueByName(text);
        if (value == null) {
          if (field.isRequired()) throw new ConversionError("Failed to find enum for '" + text + "'");
          return; // proto2: an unknown value of an optional enum is dropped
        }
        set(builder, field, value);
      }
      case DOUBLE, FLOAT -> {
        if (text.equals("Infinity")) setNumber(builder, field, Double.POSITIVE_INFINITY, 0, false);
        else if (text.equals("-Infinity")) setNumber(builder, field, Double.NEGATIVE_INFINITY, 0, false);
        else applyNumber(builder, field, numberIn(text, field));
      }
      case INT64, SINT64, SFIXED64, UINT64, FIXED64, INT32, SINT32, SFIXED32, UINT32, FIXED32 ->
          applyNumber(builder, field, numberIn(text, field));
      case BOOL -> {
        if (!text.equals("true") && !text.equals("false")) {
          throw new ConversionError("Failed to parse '" + text + "' as a JSON boolean for field '" + field.getName()
              + "': syntax error at line 1 near: " + text);
        }
        set(builder, field, Boolean.parseBoolean(text));
      }
      default -> throw notExpecting("string", field);
    }
  }

  private static JsonNode numberIn(String text, FieldDescriptor field) throws ConversionError {
    String why;
    try {
      JsonNode node = readOne(text);
      if (node.isNumber()) return node;
      why = "Failed to find a JSON number";
    } catch (SyntaxError e) {
      why = e.getMessage();
    }
    throw new ConversionError("Failed to parse '" + text + "' as a JSON number for field '" + field.getName()
        + "': " + why);
  }

  private static void applyNumber(Message.Builder builder, FieldDescriptor field, JsonNode number)
      throws ConversionError {
    boolean integral = number.isIntegralNumber();
    switch (field.getType()) {
      case DOUBLE, FLOAT, INT64, SINT64, SFIXED64, UINT64, FIXED64, INT32, SINT32, SFIXED32, UINT32, FIXED32 ->
          setNumber(builder, field, number.doubleValue(), integral ? number.longValue() : 0, integral);
      default -> throw notExpecting("number", field);
    }
  }

  /** stout's {@code JSON::Number::as<T>()}: a C++ conversion of the stored integer or double. */
  private static void setNumber(Message.Builder builder, FieldDescriptor field, double asDouble, long asLong,
                                boolean integral) {
    long whole = integral ? asLong : (long) asDouble;
    Object value = switch (field.getType()) {
      case DOUBLE -> integral ? (double) asLong : asDouble;
      case FLOAT -> integral ? (float) asLong : (float) asDouble;
      case INT32, SINT32, SFIXED32, UINT32, FIXED32 -> (int) whole;
      default -> whole;
    };
    set(builder, field, value);
  }

  private static void set(Message.Builder builder, FieldDescriptor field, Object value) {
    if (field.isRepeated()) builder.addRepeatedField(field, value);
    else builder.setField(field, value);
  }

  private static ConversionError notExpecting(String kind, FieldDescriptor field) {
    return new ConversionError("Not expecting a JSON " + kind + " for field '" + field.getName() + "'");
  }

  /** stout's base64 decoder: stops at the first '=', skips whitespace, refuses other non-alphabet characters. */
  static byte[] base64Decode(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '=') break;
      if (Character.isWhitespace(c)) continue;
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
          || c == '/';
      if (!alphabet) throw new IllegalArgumentException("Invalid character '" + c + "'");
      clean.append(c);
    }
    // A lone trailing sextet carries no whole byte; stout drops it, Java's decoder refuses it.
    if (clean.length() % 4 == 1) clean.setLength(clean.length() - 1);
    return Base64.getDecoder().decode(pad(clean));
  }

  private static String pad(StringBuilder unpadded) {
    while (unpadded.length() % 4 != 0) unpadded.append('=');
    return unpadded.toString();
  }

  /** The message as the master writes it in an event stream or an endpoint. */
  public static byte[] print(MessageOrBuilder message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      write(json, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static String printString(MessageOrBuilder message) {
    return new String(print(message), StandardCharsets.UTF_8);
  }

  private static void write(JsonGenerator json, MessageOrBuilder message) throws IOException {
    json.writeStartObject();
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.isRepeated()) {
        if (message.getRepeatedFieldCount(field) == 0) continue;
        json.writeFieldName(field.getName());
        if (field.isMapField()) writeMap(json, field, message);
        else writeArray(json, field, message);
      } else if (message.hasField(field) || (field.hasDefaultValue() && !field.getOptions().getDeprecated())) {
        json.writeFieldName(field.getName());
        writeValue(json, field, message.getField(field));
      }
    }
    json.writeEndObject();
  }

  private static void writeArray(JsonGenerator json, FieldDescriptor field, MessageOrBuilder message)
      throws IOException {
    json.writeStartArray();
    for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
      writeValue(json, field, message.getRepeatedField(field, i));
    }
    json.writeEndArray();
  }

  private static void writeMap(JsonGenerator json, FieldDescriptor field, MessageOrBuilder message)
      throws IOException {
    json.writeStartObject();
    for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
      Message entry = (Message) message.getRepeatedField(field, i);
      List<FieldDescriptor> fields = entry.getDescriptorForType().getFields();
      json.writeFieldName(String.valueOf(entry.getField(fields.get(0))));
      writeValue(json, fields.get(1), entry.getField(fields.get(1)));
    }
    json.writeEndObject();
  }

  private static void writeValue(JsonGenerator json, FieldDescriptor field, Object value) throws IOException {
    switch (field.getJavaType()) {
      case MESSAGE -> write(json, (MessageOrBuilder) value);
      case ENUM -> json.writeString(((EnumValueDescriptor) value).getName());
      case BYTE_STRING -> json.writeString(Base64.getEncoder().encodeToString(((ByteString) value).toByteArray()));
      case STRING -> json.writeString((String) value);
      case BOOLEAN -> json.writeBoolean((Boolean) value);
      case INT -> writeUnsigned(json, field, ((Integer) value).longValue(), value);
      case LONG -> writeLong(json, field, (Long) value);
      case FLOAT -> json.writeNumber(decimal(((Float) value).doubleValue()));
      case DOUBLE -> json.writeNumber(decimal((Double) value));
    }
  }

  private static void writeUnsigned(JsonGenerator json, FieldDescriptor field, long asLong, Object value)
      throws IOException {
    boolean unsigned = field.getType() == FieldDescriptor.Type.UINT32 || field.getType() == FieldDescriptor.Type.FIXED32;
    json.writeNumber(unsigned ? Integer.toUnsignedLong((Integer) value) : asLong);
  }

  private static void writeLong(JsonGenerator json, FieldDescriptor field, long value) throws IOException {
    boolean unsigned = field.getType() == FieldDescriptor.Type.UINT64 || field.getType() == FieldDescriptor.Type.FIXED64;
    if (unsigned && value < 0) json.writeNumber(Long.toUnsignedString(value));
    else json.writeNumber(value);
  }

  /** rapidjson's form: the shortest digits that read back the same, plain notation, {@code .0} on whole numbers. */
  private static String decimal(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) return "null";
    String plain = BigDecimal.valueOf(value).toPlainString();
    return plain.contains(".") ? plain : plain + ".0";
  }
}
