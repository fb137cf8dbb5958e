package mdo.mesos;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.mesos.v1.scheduler.Protos.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordIoDecoderTest {
  /** stout's own test vector (recordio_tests.cpp): four records, one of them empty. */
  private static final List<String> STOUT_RECORDS = List.of("hello!", "", " ", "13 characters");
  /** From API.md §1.2 [measured]: 57 Java chars, 61 UTF-8 bytes; the length must count bytes. */
  private static final String NON_ASCII_ERROR = "{\"type\":\"ERROR\",\"error\":{\"message\":\"Rôle «prod» refusé\"}}";

  static Stream<Arguments> realStreams() {
    List<byte[]> events = recordedEventRecords();
    return Stream.of(
        Arguments.of("stout test vector", MesosPayloads.bytes("recordio_stout_test_vector.bin"),
            STOUT_RECORDS.stream().map(s -> s.getBytes(UTF_8)).toList()),
        Arguments.of("recorded events as JSON", MesosPayloads.frame(events), events),
        Arguments.of("recorded events as protobuf", MesosPayloads.frame(protobuf(events)), protobuf(events)),
        Arguments.of("recordio.md example re-framed", MesosPayloads.frame(docExampleRecords()), docExampleRecords()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realStreams")
  void everySplitPointYieldsTheSameRecords(String name, byte[] stream, List<byte[]> expected) throws Exception {
    for (int split = 0; split <= stream.length; split++) {
      RecordIoDecoder decoder = new RecordIoDecoder();
      List<byte[]> out = new ArrayList<>();
      decoder.feed(stream, 0, split, out::add);
      decoder.feed(stream, split, stream.length - split, out::add);
      decoder.finish();
      assertThat(out).as("split at byte %d", split).containsExactlyElementsOf(expected);
      assertThat(decoder.bufferedBytes()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("realStreams")
  void everyChunkSizeYieldsTheSameRecords(String name, byte[] stream, List<byte[]> expected) throws Exception {
    for (int chunk = 1; chunk <= stream.length; chunk++) {
      RecordIoDecoder decoder = new RecordIoDecoder();
      List<byte[]> out = new ArrayList<>();
      for (int i = 0; i < stream.length; i += chunk) {
        decoder.feed(stream, i, Math.min(chunk, stream.length - i), out::add);
      }
      decoder.finish();
      assertThat(out).as("chunks of %d bytes", chunk).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void oneReadHoldingManyRecordsYieldsThemAllInOrder() throws Exception {
    List<byte[]> events = recordedEventRecords();
    byte[] stream = MesosPayloads.frame(events);
    List<byte[]> out = new ArrayList<>();
    new RecordIoDecoder().feed(stream, 0, stream.length, out::add);
    assertThat(out).containsExactlyElementsOf(events);
  }

  @Test
  void aLengthPrefixSplitAcrossReadsIsJoined() throws Exception {
    byte[] record = "x".repeat(1234).getBytes(UTF_8);
    byte[] stream = MesosPayloads.frame(List.of(record));
    RecordIoDecoder decoder = new RecordIoDecoder();
    List<byte[]> out = new ArrayList<>();
    decoder.feed(stream, 0, 2, out::add); // "12"
    assertThat(decoder.bufferedBytes()).isEqualTo(2);
    decoder.feed(stream, 2, 2, out::add); // "34"
    decoder.feed(stream, 4, 1, out::add); // "\n"
    assertThat(out).isEmpty();
    decoder.feed(stream, 5, stream.length - 5, out::add);
    assertThat(out).containsExactly(record);
  }

  @Test
  void lengthsCountUtf8BytesNotCharacters() throws Exception {
    byte[] record = NON_ASCII_ERROR.getBytes(UTF_8);
    assertThat(NON_ASCII_ERROR).hasSize(57);
    byte[] stream = MesosPayloads.frame(List.of(record, MesosPayloads.bytes("heartbeat_event.json")));
    assertThat(new String(stream, 0, 3, UTF_8)).isEqualTo("61\n");
    List<byte[]> out = new ArrayList<>();
    RecordIoDecoder decoder = new RecordIoDecoder();
    decoder.feed(stream, 0, stream.length, out::add);
    decoder.finish();
    assertThat(MesosPayloads.EVENTS.decode(out.get(0)).getError().getMessage()).isEqualTo("Rôle «prod» refusé");
    assertThat(MesosPayloads.EVENTS.decode(out.get(1)).getType()).isEqualTo(Event.Type.HEARTBEAT);
  }

  /**
   * docs/recordio.md's example as published (its literal "\n" made real, layout line breaks and the "..." tail
   * dropped): it claims 128 bytes for a 121-byte record, so the decoder reads past it and then finds no valid prefix.
   */
  @Test
  void theRecordioDocExampleWithItsWrongLengthIsRefused() {
    String[] lines = new String(MesosPayloads.bytes("recordio_stream_example.txt"), UTF_8).split("\n");
    String stream = lines[0] + lines[1] + lines[2].substring(0, lines[2].indexOf("675"));
    byte[] bytes = stream.replace("\\n", "\n").getBytes(UTF_8);
    assertThat(new String(bytes, UTF_8)).startsWith("128\n{\"type\": \"SUBSCRIBED\"");
    for (int chunk = 1; chunk <= bytes.length; chunk++) {
      RecordIoDecoder decoder = new RecordIoDecoder();
      int size = chunk;
      assertThatThrownBy(() -> {
        for (int i = 0; i < bytes.length; i += size) decoder.feed(bytes, i, Math.min(size, bytes.length - i), r -> {});
        decoder.finish();
      }).isInstanceOf(RecordIoException.class).hasMessageContaining("malformed length prefix");
    }
  }

  @Test
  void theRecordioDocExampleReframedYieldsItsRecordsButItsSubscribedIsNotValidJson() throws Exception {
    List<byte[]> records = docExampleRecords();
    assertThat(records.get(0)).hasSize(121); // not the 128 the doc claims
    assertThatThrownBy(() -> MesosPayloads.EVENTS.decode(records.get(0)))
        .isInstanceOf(MalformedMessageException.class); // the doc's record lacks its closing brace
    assertThat(MesosPayloads.EVENTS.decode(records.get(1)).getType()).isEqualTo(Event.Type.HEARTBEAT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x\nabc", "12a\n", " 5\nhello", "-1\n", "5\r\nhello", "0x10\n"})
  void aNonDigitInTheLengthPrefixFailsClearly(String input) {
    byte[] bytes = input.getBytes(UTF_8);
    RecordIoDecoder decoder = new RecordIoDecoder();
    assertThatThrownBy(() -> decoder.feed(bytes, 0, bytes.length, r -> {}))
        .isInstanceOf(RecordIoException.class)
        .hasMessageContaining("malformed length prefix")
        .hasMessageContaining("where a digit or '\\n' was expected");
  }

  @Test
  void anEmptyLengthPrefixFails() {
    byte[] bytes = "\n".getBytes(UTF_8);
    assertThatThrownBy(() -> new RecordIoDecoder().feed(bytes, 0, 1, r -> {}))
        .isInstanceOf(RecordIoException.class).hasMessageContaining("empty");
  }

  @Test
  void anAbsurdLengthIsRefusedBeforeAnythingIsAllocated() {
    byte[] bytes = "99999999999999999999999\n".getBytes(UTF_8);
    RecordIoDecoder decoder = new RecordIoDecoder();
    assertThatThrownBy(() -> decoder.feed(bytes, 0, bytes.length, r -> {}))
        .isInstanceOf(RecordIoException.class)
        .hasMessageContaining("length prefix '99999999' exceeds the maximum record size of "
            + RecordIoDecoder.DEFAULT_MAX_RECORD_BYTES);
    // refused at the eighth digit, the first past the 64 MiB maximum: no record buffer was ever allocated
    assertThat(decoder.bufferedBytes()).isEqualTo(8);
  }

  @Test
  void aRecordOverTheConfiguredMaximumIsRefusedEvenWhenItsPrefixArrivesByteByByte() throws Exception {
    RecordIoDecoder decoder = new RecordIoDecoder(100);
    byte[] ok = MesosPayloads.frame(List.of(new byte[100]));
    List<byte[]> out = new ArrayList<>();
    decoder.feed(ok, 0, ok.length, out::add);
    assertThat(out).hasSize(1);
    byte[] tooLong = "101\n".getBytes(UTF_8);
    decoder.feed(tooLong, 0, 1, out::add);
    decoder.feed(tooLong, 1, 1, out::add);
    assertThatThrownBy(() -> decoder.feed(tooLong, 2, 1, r -> {}))
        .isInstanceOf(RecordIoException.class).hasMessageContaining("'101' exceeds the maximum record size of 100");
  }

  @Test
  void afterAFailureTheDecoderStaysFailed() {
    byte[] bad = "a\n".getBytes(UTF_8);
    byte[] good = "2\nok".getBytes(UTF_8);
    RecordIoDecoder decoder = new RecordIoDecoder();
    assertThatThrownBy(() -> decoder.feed(bad, 0, bad.length, r -> {})).isInstanceOf(RecordIoException.class);
    assertThatThrownBy(() -> decoder.feed(good, 0, good.length, r -> {}))
        .isInstanceOf(RecordIoException.class).hasMessageContaining("already failed");
  }

  @Test
  void endOfStreamInsideARecordOrPrefixIsAnError() throws Exception {
    byte[] partial = "10\nhalf".getBytes(UTF_8);
    RecordIoDecoder decoder = new RecordIoDecoder();
    decoder.feed(partial, 0, partial.length, r -> {});
    assertThat(decoder.bufferedBytes()).isEqualTo(4);
    assertThatThrownBy(decoder::finish).isInstanceOf(RecordIoException.class)
        .hasMessageContaining("stream ended inside a record: 4 of 10 bytes");

    RecordIoDecoder prefix = new RecordIoDecoder();
    prefix.feed("12".getBytes(UTF_8), 0, 2, r -> {});
    assertThatThrownBy(prefix::finish).isInstanceOf(RecordIoException.class).hasMessageContaining("length prefix");
  }

  /** The valid recorded events, each file's bytes as one record (JSON wire). */
  static List<byte[]> recordedEventRecords() {
    return List.of(MesosPayloads.bytes("subscribed_event.json"), MesosPayloads.bytes("heartbeat_event.json"),
        MesosPayloads.bytes("rescind_event.json"), MesosPayloads.bytes("message_event.json"),
        MesosPayloads.bytes("failure_event.json"), NON_ASCII_ERROR.getBytes(UTF_8),
        MesosPayloads.bytes("heartbeat_event.json"));
  }

  /** The same events in the binary encoding, whose bytes include '\n' and digits inside records. */
  static List<byte[]> protobuf(List<byte[]> jsonRecords) {
    ProtobufCodec<Event> codec = new ProtobufCodec<>(Event.getDefaultInstance());
    List<byte[]> out = new ArrayList<>();
    for (byte[] json : jsonRecords) {
      try {
        out.add(codec.encode(MesosPayloads.EVENTS.decode(json)));
      } catch (MalformedMessageException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  /** recordio_stream_example.txt's two records, with their true byte lengths. */
  static List<byte[]> docExampleRecords() {
    String[] lines = new String(MesosPayloads.bytes("recordio_stream_example.txt"), UTF_8).split("\n");
    String subscribed = lines[1].substring(0, lines[1].lastIndexOf("20\\n"));
    String heartbeat = lines[2].substring(0, lines[2].indexOf("675\\n"));
    return List.of(subscribed.getBytes(UTF_8), heartbeat.getBytes(UTF_8));
  }
}
