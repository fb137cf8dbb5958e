package mdo.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to reach Marathon: one or more base URLs (tried in order, sticking to the last one that answered), optional
 * HTTP basic credentials or a DC/OS token, and an optional CA file for HTTPS. {@link #toString()} hides secrets.
 *
 * @param requestTimeout connect, read and write timeout of every request
 * @param listingTimeout the longest a full listing ({@code /v2/apps}, {@code /v2/tasks}) may take: at 10,000+ tasks
 *     Marathon takes tens of seconds to answer one
 */
public record MarathonSettings(List<URI> urls, String user, String password, String token, Path caFile,
    Duration requestTimeout, Duration listingTimeout) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_LISTING_TIMEOUT = Duration.ofSeconds(120);
  /** Credentials in a URL end up in logs, /health and error messages; they have settings of their own. */
  public static final String CREDENTIALS_IN_URL = "a Marathon URL must not carry credentials (user:password@host);"
      + " set marathon.user and marathon.password (or MARATHON_USER/MARATHON_PASSWORD), or marathon.token"
      + " (MARATHON_TOKEN) for DC/OS";

  public MarathonSettings {
    Objects.requireNonNull(urls, "urls");
    if (urls.isEmpty()) throw new IllegalArgumentException("at least one Marathon URL is required");
    urls = urls.stream().map(MarathonSettings::withoutTrailingSlash).toList();
    for (URI uri : urls) {
      if (uri.getRawUserInfo() != null) throw new IllegalArgumentException(CREDENTIALS_IN_URL);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new IllegalArgumentException("Marathon URL must be http(s)://host:port[/path], got '" + uri + "'");
      }
    }
    if ((user == null) != (password == null)) throw new IllegalArgumentException("Marathon user and password go together");
    if (user != null && token != null) throw new IllegalArgumentException("use either Marathon basic auth or a token, not both");
    if (requestTimeout == null) requestTimeout = DEFAULT_TIMEOUT;
    if (listingTimeout == null) listingTimeout = DEFAULT_LISTING_TIMEOUT;
  }

  /** With the default listing timeout. */
  public MarathonSettings(List<URI> urls, String user, String password, String token, Path caFile,
      Duration requestTimeout) {
    this(urls, user, password, token, caFile, requestTimeout, null);
  }

  public static MarathonSettings of(String... urls) {
    return new MarathonSettings(java.util.Arrays.stream(urls).map(URI::create).toList(), null, null, null, null, null);
  }

  private static URI withoutTrailingSlash(URI uri) {
    String s = uri.toString();
    return s.endsWith("/") ? URI.create(s.substring(0, s.length() - 1)) : uri;
  }

  @Override
  public String toString() {
    return "MarathonSettings[urls=" + urls + (user == null ? "" : ", user=" + user + ", password=***")
        + (token == null ? "" : ", token=***") + (caFile == null ? "" : ", caFile=" + caFile) + "]";
  }
}
