package mdo.subscriber.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import org.junit.jupiter.api.Test;

/** The address checks themselves, at the level where they cannot be routed around: the socket being connected. */
class CallbackUrlValidatorTest {
  final CallbackUrlValidator strict = new CallbackUrlValidator(CallbackSettings.defaults());

  @Test
  void everySocketIsCheckedAtConnectIncludingIpLiteralsOkHttpNeverResolves() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Socket socket = strict.socketFactory().createSocket();
      assertThatThrownBy(() -> socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort())))
          .isInstanceOf(CallbackUrlValidator.RefusedAddressException.class)
          .hasMessage("refused: connecting to 127.0.0.1:" + server.getLocalPort() + ", a loopback address (not allowed here)");
      assertThat(socket.isConnected()).isFalse();

      OkHttpClient http = new OkHttpClient.Builder().socketFactory(strict.socketFactory()).dns(strict.dns())
          .proxy(java.net.Proxy.NO_PROXY).build();
      Request literal = new Request.Builder().url("http://127.0.0.1:" + server.getLocalPort() + "/").build();
      assertThatThrownBy(() -> http.newCall(literal).execute()).hasMessageContaining("refused: connecting to 127.0.0.1");

      CallbackUrlValidator allowing = new CallbackUrlValidator(CallbackSettings.defaults().withAllowlist(List.of("127.0.0.0/8")));
      try (Socket ok = allowing.socketFactory().createSocket()) {
        ok.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), 2000);
        assertThat(ok.isConnected()).as("a loopback CIDR in callback-allow opens loopback").isTrue();
      }
    }
  }

  @Test
  void namesEachForbiddenKindOfAddress() throws Exception {
    assertThat(strict.problem(InetAddress.getByName("169.254.169.254"))).isEqualTo("a metadata service address");
    assertThat(strict.problem(InetAddress.getByName("fd00:ec2::254"))).isEqualTo("a metadata service address");
    assertThat(strict.problem(InetAddress.getByName("169.254.3.4"))).isEqualTo("a link-local address");
    assertThat(strict.problem(InetAddress.getByName("0.0.0.0"))).isEqualTo("an unspecified or reserved address");
    assertThat(strict.problem(InetAddress.getByName("0.1.2.3"))).isEqualTo("an unspecified or reserved address");
    assertThat(strict.problem(InetAddress.getByName("224.0.0.1"))).isEqualTo("a multicast address");
    assertThat(strict.problem(InetAddress.getByName("::ffff:169.254.169.254"))).isEqualTo("a metadata service address");
    assertThat(strict.problem(InetAddress.getByName("::169.254.169.254"))).as("IPv4-compatible")
        .isEqualTo("a metadata service address");
    assertThat(strict.problem(InetAddress.getByName("64:ff9b::a9fe:a9fe"))).as("NAT64").isEqualTo("a metadata service address");
    for (String p : List.of("10.0.0.1", "172.31.255.255", "192.168.0.1", "100.127.0.1", "fc00::1", "fdff::1")) {
      assertThat(strict.problem(InetAddress.getByName(p))).as(p).startsWith("a private address");
    }
    assertThat(strict.problem(InetAddress.getByName("172.32.0.1"))).as("just past 172.16/12").isNull();
    assertThat(strict.problem(InetAddress.getByName("100.128.0.1"))).as("just past 100.64/10").isNull();
    assertThat(strict.problem(InetAddress.getByName("93.184.216.34"))).isNull();
  }

  @Test
  void aStoredUrlIsJudgedWithoutResolvingItsHost() {
    assertThat(strict.problemWithoutResolving("http://does-not-resolve.invalid/x")).as("checked at connect instead").isNull();
    assertThat(strict.problemWithoutResolving("http://169.254.169.254/")).contains("a metadata service address");
    assertThat(strict.problemWithoutResolving("http://metadata.google.internal/")).contains("metadata service");
    assertThat(strict.problemWithoutResolving("gopher://x/")).contains("must be http or https");
    CallbackUrlValidator listed = new CallbackUrlValidator(CallbackSettings.defaults()
        .withAllowlist(List.of("10.0.0.0/8", "*.svc.internal")));
    assertThat(listed.problemWithoutResolving("http://a.svc.internal/")).isNull();
    assertThat(listed.problemWithoutResolving("http://other.example/")).contains("not in callback-allow");
    assertThat(listed.problemWithoutResolving("http://10.2.3.4/")).isNull();
    assertThat(listed.problemWithoutResolving("http://192.168.0.1/")).contains("a private address");
  }
}
