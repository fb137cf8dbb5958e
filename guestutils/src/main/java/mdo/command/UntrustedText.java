package mdo.command;

/**
 * Text from an untrusted sender, made safe to log or echo in an error: control characters (line breaks that would
 * forge log lines, terminal escapes) and Unicode line and bidi-control characters become {@code \\uXXXX}, and the text
 * is cut to a length a log line can carry. Apply it where such text enters a message, once.
 */
public final class UntrustedText {
  /** Characters kept of one value: enough to recognise it, not enough to flood a log. */
  public static final int MAX = 200;

  private UntrustedText() {}

  public static String escape(String text) {
    return escape(text, MAX);
  }

  public static String escape(String text, int max) {
    if (text == null) return "null";
    int keep = Math.min(text.length(), max);
    StringBuilder out = new StringBuilder(keep + 16);
    for (int i = 0; i < keep; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029'
          || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (text.length() > keep) out.append("...(").append(text.length() - keep).append(" more characters)");
    return out.toString();
  }
}
