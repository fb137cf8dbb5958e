package mdo.guestutils;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-shot reads through etcd's v3 JSON gateway ({@code POST /v3/kv/range}, base64 keys). The CLI uses this instead of
 * jetcd because a first jetcd call costs 1-2.5 s of gRPC/Netty class loading, while this costs a few milliseconds: a
 * container runs the CLI several times at boot. JDK {@link HttpURLConnection} keeps OkHttp's and Kotlin's classes
 * out of that path too; the JSON bodies are parsed by Jackson.
 */
public final class GatewayReader implements RegistryReader {
  /** Created on first use: SLF4J's start-up is not worth paying on the CLI's quiet path. */
  private static Logger log() {
    return LoggerFactory.getLogger(GatewayReader.class);
  }

  private final String environment;
  private final EtcdSettings settings;
  private final int timeoutMillis;
  private final SSLSocketFactory ssl;
  private String authToken;

  public GatewayReader(String environment, EtcdSettings settings, Duration timeout) {
    if (settings.certFile() != null) {
      throw new IllegalArgumentException("etcd client certificates need the jetcd reader, not the JSON gateway");
    }
    this.environment = environment;
    this.settings = settings;
    this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
    this.ssl = settings.caFile() == null ? null : sslFor(settings);
  }

  @Override
  public ServiceSnapshot read(String service) throws RegistryUnavailableException {
    String prefix = RegistryKeys.instances(environment, service);
    JsonNode response = range(prefix);
    long revision = response.path("header").path("revision").asLong();
    List<InstanceRecord> records = new ArrayList<>();
    for (JsonNode kv : response.path("kvs")) {
      String key = new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8);
      byte[] value = Base64.getDecoder().decode(kv.path("value").asText());
      try {
        records.add(RegistryJson.read(value, InstanceRecord.class, key));
      } catch (IllegalArgumentException e) {
        log().warn("skipped: {}", e.getMessage());
      }
    }
    return new ServiceSnapshot(service, revision, records);
  }

  private JsonNode range(String prefix) throws RegistryUnavailableException {
    String body = "{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(rangeEnd(prefix)) + "\"}";
    IOException last = null;
    for (URI endpoint : settings.endpoints()) {
      try {
        if (settings.user() != null && authToken == null) authToken = authenticate(endpoint);
        return post(endpoint, "/v3/kv/range", body, authToken);
      } catch (IOException e) {
        last = e;
      }
    }
    throw new RegistryUnavailableException("etcd unreachable at " + settings.endpointList() + ": " + last.getMessage(), last);
  }

  private String authenticate(URI endpoint) throws IOException {
    String body = RegistryJson.MAPPER.writeValueAsString(
        java.util.Map.of("name", settings.user(), "password", settings.password()));
    return post(endpoint, "/v3/auth/authenticate", body, null).path("token").asText();
  }

  private JsonNode post(URI endpoint, String path, String body, String token) throws IOException {
    HttpURLConnection c = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
    try {
      if (ssl != null && c instanceof HttpsURLConnection https) https.setSSLSocketFactory(ssl);
      c.setConnectTimeout(timeoutMillis);
      c.setReadTimeout(timeoutMillis);
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      c.setRequestProperty("Content-Type", "application/json");
      if (token != null) c.setRequestProperty("Authorization", token);
      try (OutputStream out = c.getOutputStream()) {
        out.write(body.getBytes(StandardCharsets.UTF_8));
      }
      int code = c.getResponseCode();
      if (code != 200) {
        InputStream err = c.getErrorStream();
        String text = err == null ? "" : new String(err.readAllBytes(), StandardCharsets.UTF_8);
        throw new IOException("etcd " + path + " answered " + code + " " + text.strip());
      }
      try (InputStream in = c.getInputStream()) {
        return RegistryJson.MAPPER.readTree(in);
      }
    } finally {
      c.disconnect();
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** etcd's prefix range end: the prefix with its last byte incremented. Registry prefixes end in '/'. */
  static String rangeEnd(String prefix) {
    char last = prefix.charAt(prefix.length() - 1);
    return prefix.substring(0, prefix.length() - 1) + (char) (last + 1);
  }

  private static SSLSocketFactory sslFor(EtcdSettings settings) {
    try (InputStream in = Files.newInputStream(settings.caFile())) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca" + i++, cert);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read etcd CA file " + settings.caFile() + ": " + e.getMessage(), e);
    }
  }
}
