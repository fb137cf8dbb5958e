package mdo.access;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegistrationTokensTest {
  @Test
  void aTokenNamesItsServiceAndOnlyTheSecretMakesIt() {
    String token = RegistrationTokens.of("s3cret", "prod", "web.api");
    assertThat(token).matches("web\\.api\\.[0-9a-f]{64}");
    assertThat(RegistrationTokens.service("s3cret", "prod", token)).contains("web.api");
    assertThat(RegistrationTokens.service("other", "prod", token)).as("another secret").isEmpty();
    assertThat(RegistrationTokens.service("s3cret", "staging", token)).as("another environment").isEmpty();
    String forged = "kafka" + token.substring("web.api".length());
    assertThat(RegistrationTokens.service("s3cret", "prod", forged)).as("renamed to another service").isEmpty();
    assertThat(RegistrationTokens.service("s3cret", "prod", "web.api.")).isEmpty();
    assertThat(RegistrationTokens.service("s3cret", "prod", "nodot")).isEmpty();
    assertThat(RegistrationTokens.service("s3cret", "prod", "../x.00")).isEmpty();
    assertThat(RegistrationTokens.service(null, "prod", token)).as("no secret configured").isEmpty();
  }

  @Test
  void secretVariablesAreKnownByName() {
    for (String name : new String[] {"MDO_REGISTRATION_TOKEN", "DB_PASSWORD", "AWS_SECRET_ACCESS_KEY", "API_KEY",
        "PGPASSWORD", "GITHUB_TOKEN", "SECRET", "MYSQL_PWD", "GOOGLE_CREDENTIALS", "basic_auth", "KEY", "DB_PASS"}) {
      assertThat(SecretValues.isSecret(name)).as(name).isTrue();
    }
    for (String name : new String[] {"MIN_NODES", "HOST", "KEYSPACE", "PASSTHROUGH", "ETCD_ENDPOINTS", "MONKEY_BUSINESS",
        "SERVICE_NAME", "AUTHOR"}) {
      assertThat(SecretValues.isSecret(name)).as(name).isFalse();
    }
  }
}
