package mdo.devcluster.standby;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a Marathon standby learns from ZooKeeper: who the leader is. Here the leader is the one URL given, and it
 * counts as elected while it answered (any HTTP status) within the session timeout, as a ZooKeeper session of a
 * leader that died expires after {@code --zk_session_timeout}. Until its first answer there is no leader.
 */
final class LeaderWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LeaderWatch.class);
  static final Duration PROBE_PERIOD = Duration.ofMillis(500);

  private final URI leader;
  private final Duration sessionTimeout;
  private final HttpClient http;
  private final ScheduledExecutorService prober =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("devcluster-leader-watch"));
  private volatile Instant lastAnswer;
  private volatile boolean known;

  LeaderWatch(URI leader, Duration sessionTimeout) {
    this.leader = leader;
    this.sessionTimeout = sessionTimeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(PROBE_PERIOD).build();
    prober.scheduleWithFixedDelay(this::probe, 0, PROBE_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void probe() {
    try {
      HttpRequest request = HttpRequest.newBuilder(leader.resolve("/ping")).timeout(PROBE_PERIOD.multipliedBy(2))
          .GET().build();
      http.send(request, HttpResponse.BodyHandlers.discarding());
      answered();
    } catch (IOException e) {
      boolean stillKnown = leader();
      if (known && !stillKnown) log.warn("leader lost: {} has not answered for {} s", leader, sessionTimeout.toSeconds());
      known = stillKnown;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The leader answered a probe or a proxied request. */
  void answered() {
    lastAnswer = Instant.now();
    if (!known) log.info("leader: {}", leader);
    known = true;
  }

  /** True while the leader counts as elected. */
  boolean leader() {
    Instant last = lastAnswer;
    return last != null && Duration.between(last, Instant.now()).compareTo(sessionTimeout) <= 0;
  }

  /** {@code host:port} of the leader, as Marathon stores it in ZooKeeper. */
  String hostPort() {
    int port = leader.getPort() > 0 ? leader.getPort() : "https".equals(leader.getScheme()) ? 443 : 80;
    return leader.getHost() + ":" + port;
  }

  URI uri() {
    return leader;
  }

  @Override
  public void close() {
    prober.shutdownNow();
  }
}
