package mdo.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mdo.config.SubscriberSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The subscriber image's reading of the original tool's variables, and its refusals, which return before any
 * subscriber starts (the runs themselves are in {@link SubscriberImageIT}).
 */
class ContainerSubscriberTest {
  @TempDir Path dir;

  static URI advertised(Map<String, String> env) {
    return new ContainerSubscriber(env, List.of()).advertised();
  }

  @Test
  void thePublicAddressIsHttpAtTheHostAndPortGiven() {
    assertThat(advertised(Map.of())).isNull();
    assertThat(advertised(Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5", "CONTAINER_HOST_PORT", "31005")))
        .isEqualTo(URI.create("http://10.0.0.5:31005"));
    assertThat(advertised(Map.of("CONTAINER_HOST_ADDRESS", " node-1.example.com ", "CONTAINER_HOST_PORT", "5000")))
        .isEqualTo(URI.create("http://node-1.example.com:5000"));
    assertThat(advertised(Map.of("CONTAINER_HOST_ADDRESS", "fd00::5", "CONTAINER_HOST_PORT", "5000")))
        .isEqualTo(URI.create("http://[fd00::5]:5000"));
  }

  @Test
  void halfOrNonsenseIsRefusedWithWhatIsWrong() {
    assertThatThrownBy(() -> advertised(Map.of("CONTAINER_HOST_PORT", "5000")))
        .hasMessageContaining("set both CONTAINER_HOST_ADDRESS and CONTAINER_HOST_PORT");
    assertThatThrownBy(() -> advertised(Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5", "CONTAINER_HOST_PORT", "http")))
        .hasMessageContaining("CONTAINER_HOST_PORT must be a port number 1-65535, got 'http'");
    assertThatThrownBy(() -> advertised(Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5", "CONTAINER_HOST_PORT", "70000")))
        .hasMessageContaining("1-65535");
    assertThatThrownBy(() -> advertised(Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5/evil", "CONTAINER_HOST_PORT", "5000")))
        .hasMessageContaining("CONTAINER_HOST_ADDRESS must be a host name or IP address");
  }

  @Test
  void inTheContainerItBindsEveryInterfaceOnPort5000AndKeepsEveryOtherSetting() throws Exception {
    SubscriberSettings file = new SubscriberSettings("10.0.0.5", 5001, null, "t0ken", SubscriberSettings.EventSource.CALLBACK,
        java.time.Duration.ofSeconds(30), java.time.Duration.ofMinutes(7), java.time.Duration.ofSeconds(20),
        List.of("10.0.0.0/8"), "registration-s3cret", List.of("10.0.0.0/24"));
    SubscriberSettings in = ContainerSubscriber.inContainer(file, URI.create("http://10.0.0.5:31005"));
    assertThat(in.host()).isEqualTo("0.0.0.0");
    assertThat(in.port()).isEqualTo(5000);
    assertThat(in.url()).isEqualTo(URI.create("http://10.0.0.5:31005"));
    // Every other component, including ones added after this test was written, is the file's.
    for (java.lang.reflect.RecordComponent c : SubscriberSettings.class.getRecordComponents()) {
      if (List.of("host", "port", "url").contains(c.getName())) continue;
      assertThat(c.getAccessor().invoke(in)).as(c.getName()).isEqualTo(c.getAccessor().invoke(file)).isNotNull();
    }
  }

  @Test
  void refusalsExitWith2BeforeAnythingStarts() {
    Map<String, String> original = Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5", "CONTAINER_HOST_PORT", "5000");
    assertThat(run(original, "--marathon", "http://m:8080", "--etcd", "http://e:2379", "--url", "http://x:1"))
        .isEqualTo(2);
    assertThat(run(Map.of(), "--config", dir.resolve("c.yaml").toString(), "--marathon", "http://m:8080")).isEqualTo(2);
    assertThat(run(Map.of("CONTAINER_HOST_ADDRESS", "10.0.0.5"))).isEqualTo(2);
    assertThat(run(Map.of())).as("no config anywhere").isEqualTo(2);
  }

  private int run(Map<String, String> env, String... args) {
    CommandLine cli = new CommandLine(new ContainerSubscriber(env, List.of(dir.resolve("nowhere/config.yaml"))));
    cli.setErr(new PrintWriter(new StringWriter()));
    return cli.execute(args);
  }
}
