package mdo.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What a browser sends for another site's page, refused; what programs send, let through. */
class CrossSiteGuardTest {
  final CrossSiteGuard guard = new CrossSiteGuard(List.of("subscriber.internal"));

  @Test
  void programsAreLetThrough() {
    assertThat(guard.check("POST", "127.0.0.1:5000", null, "application/json", true)).isNull();
    assertThat(guard.check("POST", "localhost:5000", null, "application/json; charset=UTF-8", true)).isNull();
    assertThat(guard.check("POST", "127.0.0.1:5000", null, null, false)).as("curl -X POST without a body").isNull();
    assertThat(guard.check("DELETE", "[::1]:5000", null, null, false)).isNull();
    assertThat(guard.check("GET", "subscriber.internal:5000", null, null, false)).isNull();
    assertThat(guard.check("GET", "SUBSCRIBER.internal.", null, null, false)).isNull();
    assertThat(guard.check("POST", "10.0.0.9:5000", null, "application/vnd.mdo+json", true)).isNull();
    assertThat(guard.check("GET", null, null, null, false)).as("HTTP/1.0").isNull();
  }

  @Test
  void aPageOfTheServersOwnOriginIsLetThrough() {
    assertThat(guard.check("POST", "127.0.0.1:5000", "http://127.0.0.1:5000", "application/json", true)).isNull();
    assertThat(guard.check("POST", "localhost", "http://localhost:80", "application/json", true)).isNull();
  }

  @Test
  void dnsRebindingIsRefusedByTheHostHeader() {
    CrossSiteGuard.Refusal r = guard.check("GET", "attacker.example:5000", null, null, false);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.message()).startsWith("Host 'attacker.example:5000' is not a name this server is known by");
  }

  @Test
  void anotherSitesPageIsRefusedByItsOrigin() {
    CrossSiteGuard.Refusal r = guard.check("POST", "127.0.0.1:5000", "https://attacker.example", "application/json", true);
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.message()).contains("cross-origin request from 'https://attacker.example' refused");
    assertThat(guard.check("POST", "127.0.0.1:5000", "null", null, false).status()).as("a sandboxed frame").isEqualTo(403);
    assertThat(guard.check("POST", "127.0.0.1:5000", "http://127.0.0.1:8080", "application/json", true).status())
        .as("another port is another origin").isEqualTo(403);
  }

  @Test
  void writesABrowserSendsWithoutAskingAreRefused() {
    for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x")) {
      CrossSiteGuard.Refusal r = guard.check("POST", "127.0.0.1:5000", null, type, true);
      assertThat(r.status()).as(type).isEqualTo(415);
      assertThat(r.message()).as(type).startsWith("a request that changes state must be sent as Content-Type: application/json");
    }
    assertThat(guard.check("POST", "127.0.0.1:5000", null, null, true).status()).as("a Blob body has no type").isEqualTo(415);
    assertThat(guard.check("GET", "127.0.0.1:5000", null, "text/plain", false)).as("reads are not writes").isNull();
  }

  @Test
  void untrustedTextIsEscapedAndCut() {
    assertThat(UntrustedText.escape("a\nb\r\u001b[31m\u2028c")).isEqualTo("a\\u000ab\\u000d\\u001b[31m\\u2028c");
    assertThat(UntrustedText.escape("x".repeat(250))).isEqualTo("x".repeat(200) + "...(50 more characters)");
    assertThat(guard.check("GET", "evil\n2026 INFO forged:5000", null, null, false).message()).doesNotContain("\n");
  }
}
