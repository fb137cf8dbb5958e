package mdo.guestutils;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
import mdo.registry.EtcdRanges;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.InstanceRecordReader;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-shot reads through etcd's v3 JSON gateway ({@code POST /v3/kv/range}, base64 keys). The CLI uses this instead of
 * jetcd because a first jetcd call costs 1-2.5 s of gRPC/Netty class loading, while this costs a few milliseconds: a
 * container runs the CLI several times at boot. JDK {@link HttpURLConnection} keeps OkHttp's and Kotlin's classes
 * out of that path too; the JSON bodies are parsed with Jackson's streaming parser (see {@link InstanceRecordReader}).
 */
public final class GatewayReader implements RegistryReader {
  private static final int RESOURCE_EXHAUSTED = 8;
  /** gRPC's OUT_OF_RANGE: what etcd answers for a revision it compacted. */
  private static final int COMPACTED = 11;
  private static final int RESTARTS = 3;

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
    List<InstanceRecord> records = new ArrayList<>();
    for (int attempt = 0; ; attempt++) {
      try {
        long revision = scan(prefix, records);
        return new ServiceSnapshot(service, revision, records);
      } catch (Answered e) {
        // etcd compacted the revision between two pages (a busy etcd): read again at the current one
        if (e.grpcCode != COMPACTED || attempt == RESTARTS) {
          throw new RegistryUnavailableException("etcd refused to read " + prefix + ": " + e.getMessage(), e);
        }
        records.clear();
      }
    }
  }

  /**
   * Reads every record under {@code prefix} in pages of at most {@link EtcdRanges#PAGE} keys, all at the revision of
   * the first page (which it returns), so no answer has to hold the whole service; a page too large for etcd's
   * message limit is asked for again with half as many keys.
   */
  private long scan(String prefix, List<InstanceRecord> into) throws RegistryUnavailableException, Answered {
    String start = prefix;
    String end = rangeEnd(prefix);
    long revision = 0;
    int limit = EtcdRanges.PAGE;
    while (true) {
      String body = "{\"key\":\"" + b64(start) + "\",\"range_end\":\"" + b64(end) + "\",\"limit\":" + limit
          + (revision == 0 ? "" : ",\"revision\":" + revision) + "}";
      Range range;
      try {
        range = post("/v3/kv/range", body);
      } catch (Answered e) {
        if (e.grpcCode != RESOURCE_EXHAUSTED || limit == 1) throw e;
        limit = Math.max(1, limit / 2);
        continue;
      }
      if (revision == 0) revision = range.revision;
      for (int i = 0; i < range.values.size(); i++) {
        try {
          into.add(InstanceRecordReader.read(range.values.get(i), range.keys.get(i)));
        } catch (IllegalArgumentException e) {
          log().warn("skipped: {}", e.getMessage());
        }
      }
      if (!range.more || range.keys.isEmpty()) return revision;
      start = range.keys.get(range.keys.size() - 1) + '\0';
    }
  }

  private static final class Unauthorized extends IOException {
    Unauthorized(String message) {
      super(message);
    }
  }

  /** etcd answered with an error (so another endpoint would answer the same); {@code grpcCode} from its body. */
  private static final class Answered extends IOException {
    final int grpcCode;

    Answered(String message, int grpcCode) {
      super(message);
      this.grpcCode = grpcCode;
    }
  }

  /** A range answer: {@code header.revision} and each kv's key and value, base64-decoded. */
  private static final class Range {
    long revision;
    boolean more;
    String token;
    final List<String> keys = new ArrayList<>();
    final List<byte[]> values = new ArrayList<>();

    /** Streams the gateway's JSON: {"header":{"revision":"12",...},"kvs":[{"key":"..","value":".."}],"count":"1"}. */
    static Range parse(InputStream in) throws IOException {
      Range r = new Range();
      try (JsonParser p = InstanceRecordReader.factory().createParser(in)) {
        if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("etcd answered something other than JSON");
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          if (field.equals("header") && t == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String h = p.currentName();
              p.nextToken();
              if (h.equals("revision")) r.revision = Long.parseLong(p.getValueAsString("0"));
              else p.skipChildren();
            }
          } else if (field.equals("kvs") && t == JsonToken.START_ARRAY) {
            while (p.nextToken() == JsonToken.START_OBJECT) {
              String key = null;
              byte[] value = new byte[0];
              while (p.nextToken() == JsonToken.FIELD_NAME) {
                String k = p.currentName();
                p.nextToken();
                if (k.equals("key")) key = new String(Base64.getDecoder().decode(p.getValueAsString()), StandardCharsets.UTF_8);
                else if (k.equals("value")) value = Base64.getDecoder().decode(p.getValueAsString());
                else p.skipChildren();
              }
              r.keys.add(key);
              r.values.add(value);
            }
          } else if (field.equals("more")) {
            r.more = p.getValueAsBoolean();
          } else if (field.equals("token")) {
            r.token = p.getValueAsString();
          } else {
            p.skipChildren();
          }
        }
      }
      return r;
    }
  }

  private Range post(String path, String body) throws RegistryUnavailableException, Answered {
    IOException last = null;
    for (URI endpoint : settings.endpoints()) {
      try {
        if (settings.user() != null && authToken == null) authToken = authenticate(endpoint);
        try {
          return post(endpoint, path, body, authToken);
        } catch (Unauthorized e) {
          if (settings.user() == null) throw e;
          authToken = authenticate(endpoint); // tokens expire: one fresh try
          return post(endpoint, path, body, authToken);
        }
      } catch (Answered e) {
        throw e;
      } catch (IOException e) {
        last = e;
      }
    }
    throw new RegistryUnavailableException("etcd unreachable at " + settings.endpointList() + ": " + last.getMessage(), last);
  }

  private String authenticate(URI endpoint) throws IOException {
    String body = "{\"name\":" + quote(settings.user()) + ",\"password\":" + quote(settings.password()) + "}";
    return post(endpoint, "/v3/auth/authenticate", body, null).token;
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }

  private Range post(URI endpoint, String path, String body, String token) throws IOException {
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
        String message = "etcd " + path + " answered " + code + " " + text.strip();
        if (code == 401) throw new Unauthorized(message);
        int grpcCode = grpcCode(text);
        throw grpcCode > 0 ? new Answered(message, grpcCode) : new IOException(message);
      }
      try (InputStream in = c.getInputStream()) {
        return Range.parse(in);
      }
    } finally {
      c.disconnect();
    }
  }

  /** The gRPC status code in the gateway's error body ({@code {"error":"...","code":11,...}}), or -1. */
  static int grpcCode(String errorBody) {
    try (JsonParser p = InstanceRecordReader.factory().createParser(errorBody)) {
      if (p.nextToken() != JsonToken.START_OBJECT) return -1;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (field.equals("code")) return p.getValueAsInt(-1);
        p.skipChildren();
      }
    } catch (IOException e) {
      return -1;
    }
    return -1;
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
