package mdo.marathon;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import mdo.cluster.ClusterBackend;
import mdo.cluster.ClusterException;
import mdo.cluster.Deployment;
import mdo.cluster.DeploymentListener;
import mdo.cluster.DeploymentOutcome;
import mdo.cluster.Labels;
import mdo.cluster.ServiceDefinition;
import mdo.config.MdoConfig;
import mdo.config.UpgradeStrategy;

/**
 * Marathon as a {@link ClusterBackend}: a service is the app {@code /<environment>/<service>}. A new service is
 * POSTed, a changed one PUT in full ({@code partialUpdate=false}); scaling and new images are partial updates that keep
 * the rest of the app as the launcher made it. Marathon's errors come back as {@link ClusterException}s that say what
 * to do next.
 */
public final class MarathonBackend implements ClusterBackend {
  private final MarathonClient client;
  private final String configFile;
  private final Duration pollInterval;

  public MarathonBackend(MarathonClient client, String configFile, Duration pollInterval) {
    this.client = client;
    this.configFile = configFile;
    this.pollInterval = pollInterval;
  }

  /** Found by {@link ClusterBackend#open} for {@code backend: marathon}. */
  public static final class Provider implements ClusterBackend.Provider {
    @Override
    public String name() {
      return "marathon";
    }

    @Override
    public ClusterBackend open(MdoConfig config, Duration pollInterval) {
      return new MarathonBackend(new MarathonClient(config.marathon()), config.file().toString(), pollInterval);
    }
  }

  @Override
  public String name() {
    return "Marathon";
  }

  @Override
  public String render(ServiceDefinition service) {
    return AppJson.pretty(AppJson.toApp(service));
  }

  @Override
  public Optional<RunningService> find(String id) {
    return call(() -> client.getAppJson(id)).map(app -> new App(id, app));
  }

  @Override
  public Deployment create(ServiceDefinition service) {
    return deployment(service.id(), call(() -> client.createApp(AppJson.toApp(service))));
  }

  @Override
  public DeploymentOutcome await(Deployment deployment, int wanted, Duration timeout, DeploymentListener listener)
      throws InterruptedException {
    return new DeploymentWatcher(client, pollInterval).await(deployment.id(), deployment.deploymentId(),
        deployment.version(), wanted, timeout, listener);
  }

  @Override
  public void close() {
    client.http().dispatcher().executorService().shutdown();
    client.http().connectionPool().evictAll();
  }

  /** An app as Marathon returned it; changes are made relative to that JSON. */
  private final class App implements RunningService {
    private final String id;
    private final ObjectNode json;

    App(String id, ObjectNode json) {
      this.id = id;
      this.json = json;
    }

    @Override
    public String id() {
      return id;
    }

    /** The version read: after a lost answer, another one means the change was applied. */
    private String version() {
      return json.path("version").asText(null);
    }

    @Override
    public ServiceDefinition definition() {
      String service = json.path("labels").path(Labels.SERVICE).asText(id.substring(id.lastIndexOf('/') + 1));
      return AppJson.definition(service, json);
    }

    @Override
    public Deployment replace(ServiceDefinition desired, boolean force) {
      return deployment(id, call(() -> client.replaceApp(id, AppJson.replacing(desired, json), force, version())));
    }

    /** A new image replaces every instance: with a strategy that gets through where the app's would not. */
    @Override
    public Deployment change(Integer instances, String image, boolean force) {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      if (instances != null) body.put("instances", instances);
      if (image != null) {
        ObjectNode container = json.get("container").deepCopy(); // the rest of the container stays as it is
        ((ObjectNode) container.get("docker")).put("image", image);
        body.set("container", container);
        UpgradeStrategies.forRollout(json, instances != null ? instances : json.path("instances").asInt(1))
            .ifPresent(s -> body.set("upgradeStrategy", UpgradeStrategies.json(s)));
      }
      return deployment(id, call(() -> client.putApp(id, body, force, version())));
    }

    /**
     * Marathon's restart, or, where the app's strategy would wait forever for a free host, a change of the strategy
     * alone: Marathon replaces every instance for that too, and with the new strategy.
     */
    @Override
    public Deployment restart(boolean force) {
      Optional<UpgradeStrategy> strategy = UpgradeStrategies.forRollout(json, json.path("instances").asInt(1));
      if (strategy.isEmpty()) return deployment(id, call(() -> client.restartApp(id, force, version())));
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      body.set("upgradeStrategy", UpgradeStrategies.json(strategy.get()));
      return deployment(id, call(() -> client.putApp(id, body, force, version())));
    }
  }

  private static Deployment deployment(String id, DeploymentResult result) {
    return new Deployment(id, result.deploymentId(), result.version());
  }

  /** Runs a Marathon call; its failures become messages that say what to do next. */
  private <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (MarathonException e) {
      throw new ClusterException(e.kind(), explain(e), e);
    } catch (MarathonUnavailableException e) {
      throw new ClusterException(e.kind(), e.getMessage() + "\nIs Marathon running? Check marathon.url/urls in "
          + configFile + '.', e);
    }
  }

  private String explain(MarathonException e) {
    StringBuilder sb = new StringBuilder(e.getMessage());
    if (e.isLocked()) {
      sb.append("\nAnother deployment (").append(String.join(", ", e.deploymentIds()))
          .append(") is still changing this app. Wait for it, or re-run with --force to cancel it and deploy anyway.");
    } else if (e.status() == 401) {
      sb.append("\nCheck the credentials: marathon.user/password (or MARATHON_USER/MARATHON_PASSWORD) or marathon.token"
          + " (or MARATHON_TOKEN) in ").append(configFile).append('.');
    } else if (e.isDeploymentLimit()) {
      sb.append("\nThis is Marathon's limit on deployments running at once (--max_running_deployments), not a"
          + " permissions problem: wait for some to finish (GET /v2/deployments) or cancel one (DELETE"
          + " /v2/deployments/<id>), then re-run. --force does not get past it.");
    } else if (e.status() == 403) {
      sb.append("\nA permissions problem: the credentials were accepted but may not do this; check the account's"
          + " permissions in Marathon/DC/OS.");
    } else if (e.status() == 422 || e.status() == 400) {
      sb.append("\nMarathon rejected the app definition; --dry-run prints the JSON mdo sends.");
    }
    return sb.toString();
  }
}
