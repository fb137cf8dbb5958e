package mdo.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {
  /** What the registry wrote before: Marathon's pattern through java.time. */
  private static final DateTimeFormatter MARATHON_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Random instants over 0001-9999 plus the edges where calendar arithmetic goes wrong. */
  private static List<Instant> instants() {
    List<Instant> all = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(20260101);
    long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 50_000; i++) {
      all.add(Instant.ofEpochSecond(random.nextLong(min, max + 1), random.nextInt(1000) * 1_000_000L));
    }
    for (int year : new int[] {1, 4, 100, 400, 1582, 1600, 1900, 1969, 1970, 1999, 2000, 2024, 2026, 2100, 2400, 9999}) {
      int lastOfFebruary = Year.isLeap(year) ? 29 : 28;
      for (LocalDate d : List.of(LocalDate.of(year, 1, 1), LocalDate.of(year, 2, lastOfFebruary), LocalDate.of(year, 3, 1),
          LocalDate.of(year, 12, 31))) {
        long start = d.toEpochSecond(LocalTime.MIDNIGHT, ZoneOffset.UTC);
        for (long s : new long[] {start, start + 1, start + 86_399}) {
          for (int ms : new int[] {0, 1, 500, 999}) all.add(Instant.ofEpochSecond(s, ms * 1_000_000L));
        }
      }
    }
    return all;
  }

  @Test
  void formatsLikeMarathonsPatternForEveryInstant() {
    for (Instant t : instants()) assertThat(Timestamps.format(t)).as("%s", t).isEqualTo(MARATHON_TIME.format(t));
  }

  @Test
  void readsBackWhatItWritesAsInstantParseDoes() {
    for (Instant t : instants()) {
      String text = Timestamps.format(t);
      assertThat(Timestamps.parse(text)).as(text).isEqualTo(Instant.parse(text)).isEqualTo(t);
    }
  }

  @Test
  void writesThreeMillisecondDigitsAndCutsFinerOnes() {
    assertThat(Timestamps.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000Z");
    assertThat(Timestamps.format(Instant.parse("2026-01-01T00:00:01.999999999Z"))).isEqualTo("2026-01-01T00:00:01.999Z");
    assertThat(Timestamps.format(Instant.parse("1969-12-31T23:59:59.000500Z"))).isEqualTo("1969-12-31T23:59:59.000Z");
  }

  @Test
  void yearsOutsideFourDigitsAreFormattedAsBefore() {
    for (Instant t : List.of(Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("0000-06-01T12:00:00Z"),
        Instant.parse("-0001-12-31T23:59:59.123Z"), Instant.parse("+999999-01-01T00:00:00Z"))) {
      assertThat(Timestamps.format(t)).as("%s", t).isEqualTo(MARATHON_TIME.format(t));
    }
  }

  @Test
  void leapDaysExistOnlyInLeapYears() {
    assertThat(Timestamps.parse("2024-02-29T12:00:00.000Z")).isEqualTo(Instant.parse("2024-02-29T12:00:00Z"));
    assertThat(Timestamps.parse("2000-02-29T00:00:00.000Z")).isEqualTo(Instant.parse("2000-02-29T00:00:00Z"));
    for (String bad : List.of("2026-02-29T00:00:00.000Z", "1900-02-29T00:00:00.000Z", "2100-02-29T00:00:00.000Z",
        "2024-02-30T00:00:00.000Z")) {
      assertThatThrownBy(() -> Timestamps.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "yesterday", "2026-01-01", "2026-01-01T00:00:00.000", "2026-01-01T00:00:00.000Z ", " 2026-01-01T00:00:00.000Z",
      "2026-13-01T00:00:00.000Z", "2026-00-01T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-01-32T00:00:00.000Z",
      "2026-04-31T00:00:00.000Z", "2026-06-31T00:00:00.000Z", "2026-09-31T00:00:00.000Z", "2026-11-31T00:00:00.000Z",
      "2026-01-01T25:00:00.000Z", "2026-01-01T24:00:01.000Z", "2026-01-01T23:60:00.000Z", "2026-01-01T23:00:61.000Z",
      "2026-01-01X00:00:00.000Z", "2026/01/01T00:00:00.000Z", "2026-01-01T00-00:00.000Z", "2026-01-01T00:00:00,000Z",
      "2026-01-01T00:00:00.000X", "2026-01-01T00:00:00.0a0Z", "2026-0a-01T00:00:00.000Z", "2O26-01-01T00:00:00.000Z",
      "2026-01-01T0 :00:00.000Z", "2026-01-01T00:00:00.-10Z", "2026-+1-01T00:00:00.000Z", "202\uff16-01-01T00:00:00.000Z",
      "2026-01-01T00:00:00.1234567890Z"})
  void rejectsWhatInstantParseRejects(String text) {
    assertThatThrownBy(() -> Instant.parse(text)).isInstanceOf(DateTimeParseException.class);
    assertThatThrownBy(() -> Timestamps.parse(text)).isInstanceOf(DateTimeParseException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "2026-01-01T00:00:01Z", "2026-01-01T00:00:01.5Z", "2026-01-01T00:00:01.123456Z", "2026-01-01T00:00:01.123456789Z",
      "2026-01-01t00:00:01.000z", "2026-01-01T01:00:01.000+01:00", "2026-01-01T00:00:01.000-02:30",
      "2026-01-01T24:00:00.000Z", "2016-12-31T23:59:60.000Z", "+12026-01-01T00:00:01.000Z", "0000-01-01T00:00:00.000Z"})
  void acceptsOtherIsoFormsAsInstantParseDoes(String text) {
    assertThat(Timestamps.parse(text)).isEqualTo(Instant.parse(text));
  }

  @Test
  void everyMangledMarathonTimestampIsReadAsInstantParseReadsIt() {
    // one character of a valid timestamp replaced by each character that matters to the grammar
    String valid = "2024-02-29T23:59:59.999Z";
    for (int i = 0; i < valid.length(); i++) {
      for (char c : "0123456789-:.TZtz+ /a\u0660".toCharArray()) {
        String text = valid.substring(0, i) + c + valid.substring(i + 1);
        Object expected = outcome(() -> Instant.parse(text));
        assertThat(outcome(() -> Timestamps.parse(text))).as(text).isEqualTo(expected);
      }
    }
  }

  private static Object outcome(Supplier<Instant> parse) {
    try {
      return parse.get();
    } catch (DateTimeParseException e) {
      return "rejected";
    }
  }
}
