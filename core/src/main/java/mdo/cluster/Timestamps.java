package mdo.cluster;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The registry's timestamps, which are Marathon's: {@code yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}, always UTC with three
 * millisecond digits (API.md §1.1). Backends report times in it and records store them in it.
 * Every event carries one and the registry writer reads and writes them for every event, so that exact form is read and
 * written with char arithmetic; anything else (other fraction lengths, offsets, lower-case letters, leap seconds) goes
 * to {@link Instant#parse} and {@link DateTimeFormatter}, which therefore decide every result outside the fast path.
 */
public final class Timestamps {
  private static final DateTimeFormatter MARATHON_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final int LENGTH = 24;
  private static final long DAYS_0000_TO_1970 = 719_528;

  private Timestamps() {}

  /** Same as {@link Instant#parse}: throws {@link DateTimeParseException} for text that is not an ISO instant. */
  public static Instant parse(String text) {
    if (text != null && text.length() == LENGTH && text.charAt(4) == '-' && text.charAt(7) == '-'
        && text.charAt(10) == 'T' && text.charAt(13) == ':' && text.charAt(16) == ':' && text.charAt(19) == '.'
        && text.charAt(23) == 'Z') {
      int year = digits(text, 0, 4);
      int month = digits(text, 5, 2);
      int day = digits(text, 8, 2);
      int hour = digits(text, 11, 2);
      int minute = digits(text, 14, 2);
      int second = digits(text, 17, 2);
      int millis = digits(text, 20, 3);
      if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= lengthOfMonth(year, month)
          && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 && millis >= 0) {
        long seconds = epochDay(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
        return Instant.ofEpochSecond(seconds, millis * 1_000_000L);
      }
    }
    return Instant.parse(text);
  }

  /** Marathon's form: UTC, three millisecond digits (finer digits are cut, as Marathon does). */
  public static String format(Instant t) {
    long day = Math.floorDiv(t.getEpochSecond(), 86_400);
    LocalDate date = LocalDate.ofEpochDay(day);
    // four-digit years only: the formatter prints other years with a sign or as year-of-era
    if (date.getYear() < 1 || date.getYear() > 9999) return MARATHON_TIME.format(t);
    int secondOfDay = (int) Math.floorMod(t.getEpochSecond(), 86_400);
    char[] out = "0000-00-00T00:00:00.000Z".toCharArray();
    put(out, 0, 4, date.getYear());
    put(out, 5, 2, date.getMonthValue());
    put(out, 8, 2, date.getDayOfMonth());
    put(out, 11, 2, secondOfDay / 3600);
    put(out, 14, 2, secondOfDay / 60 % 60);
    put(out, 17, 2, secondOfDay % 60);
    put(out, 20, 3, t.getNano() / 1_000_000);
    return new String(out);
  }

  /** The value of {@code count} ASCII digits at {@code from}, or -1 if one of them is not a digit. */
  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static void put(char[] out, int from, int count, int value) {
    for (int i = from + count - 1; i >= from; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }

  private static int lengthOfMonth(int year, int month) {
    return switch (month) {
      case 2 -> isLeap(year) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  private static boolean isLeap(int year) {
    return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
  }

  /** Days from 1970-01-01 to a proleptic ISO date with year 0..9999 (the arithmetic of {@link LocalDate#toEpochDay}). */
  private static long epochDay(int year, int month, int day) {
    long total = 365L * year + (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
    total += (367 * month - 362) / 12 + day - 1;
    if (month > 2) total -= isLeap(year) ? 1 : 2;
    return total - DAYS_0000_TO_1970;
  }
}
