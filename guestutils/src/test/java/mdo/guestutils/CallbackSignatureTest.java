package mdo.guestutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import mdo.guestutils.CallbackSignature.Result;
import org.junit.jupiter.api.Test;

/** The {@code t=...,v1=...} signature of callback notifications, and {@code guestutils verify-callback}. */
class CallbackSignatureTest {
  static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
  static final Instant T = Instant.ofEpochSecond(1_700_000_000L);
  /** {@code printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac s3cret -hex}: what a shell receiver computes. */
  static final String OPENSSL = "1698a50bc74d1ff1db85c4e0a5297c2ad9fdba245d5737cdb789e4cc6e098940";

  @Test
  void signsTheTimestampWithTheBodyAsOpensslComputesIt() {
    assertThat(CallbackSignature.sign("s3cret", T, BODY)).isEqualTo("t=1700000000,v1=" + OPENSSL);
  }

  @Test
  void acceptsWithinTheToleranceEitherWayAndRefusesAReplayAfterIt() {
    String header = CallbackSignature.sign("s3cret", T, BODY);
    assertThat(CallbackSignature.verify("s3cret", header, BODY, T)).isEqualTo(Result.VALID);
    assertThat(CallbackSignature.verify("s3cret", header, BODY, T.plus(Duration.ofMinutes(5)))).isEqualTo(Result.VALID);
    assertThat(CallbackSignature.verify("s3cret", header, BODY, T.minus(Duration.ofMinutes(5)))).isEqualTo(Result.VALID);
    assertThat(CallbackSignature.verify("s3cret", header, BODY, T.plusSeconds(301))).isEqualTo(Result.EXPIRED);
    assertThat(CallbackSignature.verify("s3cret", header, BODY, T.minusSeconds(301))).isEqualTo(Result.EXPIRED);
  }

  @Test
  void aChangedBodyTimestampOrSecretDoesNotMatch() {
    String header = CallbackSignature.sign("s3cret", T, BODY);
    assertThat(CallbackSignature.verify("s3cret", header, "{\"a\":2}".getBytes(StandardCharsets.UTF_8), T))
        .isEqualTo(Result.MISMATCH);
    assertThat(CallbackSignature.verify("other", header, BODY, T)).isEqualTo(Result.MISMATCH);
    String moved = header.replace("t=1700000000", "t=1700000100");
    assertThat(CallbackSignature.verify("s3cret", moved, BODY, T.plusSeconds(100))).as("a re-dated replay")
        .isEqualTo(Result.MISMATCH);
  }

  @Test
  void missingMalformedAndTheOldUntimedFormatAreRefused() {
    assertThat(CallbackSignature.verify("s3cret", null, BODY, T)).isEqualTo(Result.MISSING);
    assertThat(CallbackSignature.verify("s3cret", "sha256=" + OPENSSL, BODY, T)).isEqualTo(Result.MALFORMED);
    assertThat(CallbackSignature.verify("s3cret", "t=soon,v1=" + OPENSSL, BODY, T)).isEqualTo(Result.MALFORMED);
    assertThat(CallbackSignature.verify("s3cret", "t=1700000000", BODY, T)).isEqualTo(Result.MALFORMED);
  }

  @Test
  void oneMatchingSignatureAmongSeveralIsEnoughInAnyOrder() {
    assertThat(CallbackSignature.verify("s3cret", "v1=00ff,t=1700000000, v1=" + OPENSSL, BODY, T)).isEqualTo(Result.VALID);
  }

  @Test
  void theCliVerifiesABodyOnStdinWithTheSecretFromTheEnvironment() {
    String header = CallbackSignature.sign("s3cret", Instant.now(), BODY);
    assertThat(cli(header, BODY, "s3cret").code()).isZero();
    Cli wrong = cli(header, "{\"a\":2}".getBytes(StandardCharsets.UTF_8), "s3cret");
    assertThat(wrong.code()).isEqualTo(1);
    assertThat(wrong.err()).contains("notification refused: the signature does not match the body");
    Cli old = cli(CallbackSignature.sign("s3cret", Instant.now().minus(Duration.ofMinutes(10)), BODY), BODY, "s3cret");
    assertThat(old.code()).isEqualTo(1);
    assertThat(old.err()).contains("outside the tolerance");
    assertThat(cli(header, BODY, null).err()).contains("MDO_CALLBACK_SECRET is not set");
  }

  record Cli(int code, String err) {}

  private static Cli cli(String header, byte[] body, String secret) {
    InputStream stdin = System.in;
    StringWriter err = new StringWriter();
    try {
      System.setIn(new ByteArrayInputStream(body));
      int code = Main.run(new String[] {"verify-callback", "--signature", header},
          new GuestEnv(secret == null ? Map.of() : Map.of("MDO_CALLBACK_SECRET", secret)),
          new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
      return new Cli(code, err.toString());
    } finally {
      System.setIn(stdin);
    }
  }
}
