package mdo.devcluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import mdo.devcluster.api.ApiServer;
import mdo.devcluster.events.CallbackSubscribers;
import mdo.devcluster.events.EventBus;
import mdo.devcluster.run.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running dev cluster: the Marathon API on {@link #url()} and the tasks it runs. {@link #close()} stops every task
 * (SIGTERM, then SIGKILL) and the server.
 *
 * <pre>{@code
 * try (DevCluster cluster = DevCluster.start(Settings.defaults(dir).withPort(0))) {
 *   String marathonUrl = cluster.url();
 * }
 * }</pre>
 */
public final class DevCluster implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevCluster.class);
  private final Settings settings;
  private final EventBus bus;
  private final CallbackSubscribers callbacks;
  private final Cluster cluster;
  private final ApiServer server;
  private final int port;

  private DevCluster(Settings settings) {
    this.settings = settings;
    try {
      Files.createDirectories(settings.stateDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create state dir " + settings.stateDir(), e);
    }
    this.bus = new EventBus();
    this.callbacks = new CallbackSubscribers(settings.callbackTimeout());
    if (settings.marathon().httpCallbacks()) bus.subscribe(callbacks);
    this.cluster = new Cluster(settings, bus);
    this.server = new ApiServer(settings, cluster, bus, callbacks);
    int bound;
    try {
      bound = server.start();
    } catch (RuntimeException e) {
      cluster.close();
      callbacks.close();
      throw new IllegalStateException("could not serve on " + settings.host() + ":" + settings.port() + ": "
          + e.getMessage(), e);
    }
    this.port = bound;
    log.info("serving: Marathon {} API on {} (state in {}, agent ports {}, features {})", settings.marathon().version(),
        url(), settings.stateDir(), settings.agentPorts(), settings.marathon().features());
  }

  public static DevCluster start(Settings settings) {
    if (settings.standby()) throw new IllegalArgumentException("a standby runs no apps: start it with Standby.start");
    return new DevCluster(settings);
  }

  public int port() {
    return port;
  }

  /** {@code http://<host>:<port>}, what {@code marathon.url} takes. */
  public String url() {
    String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
    return "http://" + host + ":" + port;
  }

  public Settings settings() {
    return settings;
  }

  /** Open {@code /v2/events} connections. */
  public int eventStreams() {
    return server.eventStreams();
  }

  /** Tasks not yet in a terminal state. */
  public int liveTasks() {
    return cluster.runningTasks();
  }

  @Override
  public void close() {
    log.info("stopping: dev cluster on {}", url());
    cluster.close();
    server.close();
    callbacks.close();
  }
}
