package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import mdo.registry.EtcdSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The flags-only mode: what the flags turn into, and the usage errors that stop a half-given setting. */
class MainTest {
  private static Main parse(String... args) {
    Main main = new Main();
    new CommandLine(main).parseArgs(args);
    return main;
  }

  @Test
  void tlsAndCallbackFlagsBecomeSettings() {
    Main main = parse("--marathon", "http://m1:8080", "--etcd", "https://e1:2379,https://e2:2379", "--etcd-ca", "ca.pem",
        "--etcd-cert", "c.pem", "--etcd-key", "c.key", "--callback-allow", "10.0.0.0/8,recv.internal",
        "--callback-source", "10.0.0.5/32");
    EtcdSettings etcd = main.etcdSettings();
    assertThat(etcd.caFile()).isEqualTo(Path.of("ca.pem"));
    assertThat(etcd.certFile()).isEqualTo(Path.of("c.pem"));
    assertThat(etcd.keyFile()).isEqualTo(Path.of("c.key"));
    assertThat(main.subscriberSettings().callbackAllow()).containsExactly("10.0.0.0/8", "recv.internal");
    assertThat(main.subscriberSettings().callbackSources()).containsExactly("10.0.0.5/32");
  }

  @Test
  void credentialsInAFlagsUrlAreAUsageErrorThatDoesNotRepeatThem() {
    Main main = parse("--marathon", "http://ops:s3cret@m1:8080", "--etcd", "http://e1:2379");
    assertThatThrownBy(main::marathonSettings).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("must not carry credentials").hasMessageNotContaining("s3cret");
    Main etcd = parse("--marathon", "http://m1:8080", "--etcd", "http://root:pw@e1:2379");
    assertThatThrownBy(etcd::etcdSettings).isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("must not carry credentials").hasMessageNotContaining("root:pw");
  }
}
