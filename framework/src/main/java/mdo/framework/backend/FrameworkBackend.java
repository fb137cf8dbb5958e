package mdo.framework.backend;

import io.etcd.jetcd.Client;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import mdo.cluster.ClusterBackend;
import mdo.cluster.ClusterException;
import mdo.cluster.Deployment;
import mdo.cluster.DeploymentListener;
import mdo.cluster.DeploymentOutcome;
import mdo.cluster.Labels;
import mdo.cluster.ServiceDefinition;
import mdo.cluster.Timestamps;
import mdo.command.Failure;
import mdo.config.MdoConfig;
import mdo.framework.desired.DesiredJson;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.DesiredStateStore;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.desired.ServicePorts;
import mdo.framework.desired.ServiceProgress;
import mdo.framework.desired.Versioned;
import mdo.registry.Etcd;
import mdo.registry.store.EtcdException;

/**
 * The native Mesos framework as a {@link ClusterBackend} ({@code backend: mesos}): launcher and updater never talk to
 * Mesos. They write the service's desired state to etcd with a compare-and-swap ({@link DesiredStateStore}) and wait
 * for the progress the leading {@code bin/framework} reports there ({@link ProgressWait}). A change made while the
 * previous one is still being rolled out is refused unless forced, as Marathon refuses a locked app.
 *
 * <p>Loads no Mesos class: launcher and updater only pay for etcd.
 */
public final class FrameworkBackend implements ClusterBackend {
  static final String NAME = "mdo framework";
  /** gRPC logs start-up chatter through java.util.logging at INFO; launcher's stderr should carry only what matters. */
  private static final java.util.logging.Logger GRPC_LOG = java.util.logging.Logger.getLogger("io.grpc");

  private final Client etcd;
  private final DesiredStateStore store;
  private final String configFile;
  private final Duration pollInterval;
  private final Clock clock;

  public FrameworkBackend(Client etcd, String environment, String configFile, Duration pollInterval, Clock clock) {
    this.etcd = etcd;
    this.store = new DesiredStateStore(etcd.getKVClient(), environment, Duration.ofSeconds(5));
    this.configFile = configFile;
    this.pollInterval = pollInterval;
    this.clock = clock;
  }

  /** Found by {@link ClusterBackend#open} for {@code backend: mesos}. */
  public static final class Provider implements ClusterBackend.Provider {
    @Override
    public String name() {
      return "mesos";
    }

    @Override
    public ClusterBackend open(MdoConfig config, Duration pollInterval) {
      GRPC_LOG.setLevel(java.util.logging.Level.WARNING);
      return new FrameworkBackend(Etcd.client(config.etcd()), config.environment(), config.file().toString(),
          pollInterval, Clock.systemUTC());
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** What {@link #create} writes, with the versions left to be assigned when it is written. */
  @Override
  public String render(ServiceDefinition service) {
    String unset = "(assigned when written)";
    return "# " + FrameworkKeys.service(store.environment(), service.service()) + "\n"
        + DesiredJson.pretty(new DesiredService(service, unset, unset, unset,
            ServicePorts.assign(service, List.of(), List.of())));
  }

  @Override
  public Optional<RunningService> find(String id) {
    String service = serviceOf(id);
    return call(() -> store.read(service)).map(Service::new);
  }

  @Override
  public Deployment create(ServiceDefinition service) {
    String version = nextVersion(null);
    DesiredService desired = new DesiredService(service, version, version, UUID.randomUUID().toString(),
        ServicePorts.assign(service, List.of(), call(() -> otherServicePorts(service.service()))));
    if (!call(() -> store.create(desired))) {
      throw new ClusterException(Failure.Kind.REFUSED, service.id() + " was created by someone else meanwhile; re-run"
          + " to compare with what they wrote", null);
    }
    return deployment(desired);
  }

  @Override
  public DeploymentOutcome await(Deployment deployment, int wanted, Duration timeout, DeploymentListener listener)
      throws InterruptedException {
    try (ProgressWait wait = new ProgressWait(etcd, store, deployment, serviceOf(deployment.id()), pollInterval)) {
      return wait.await(wanted, timeout, listener);
    }
  }

  @Override
  public void close() {
    etcd.close();
  }

  /** {@code /<environment>/<service>} of this backend's environment. */
  private String serviceOf(String id) {
    String prefix = Labels.appId(store.environment(), "");
    if (!id.startsWith(prefix) || id.length() == prefix.length() || id.indexOf('/', prefix.length()) >= 0) {
      throw new ClusterException(Failure.Kind.BAD_INPUT, id + " is not a service of environment '"
          + store.environment() + "'", null);
    }
    return id.substring(prefix.length());
  }

  /** A version later than {@code previous}: now, or a millisecond after it when the clocks disagree. */
  private String nextVersion(String previous) {
    Instant now = clock.instant();
    if (previous != null) {
      Instant before = Timestamps.parse(previous);
      if (!now.isAfter(before)) now = before.plusMillis(1);
    }
    return Timestamps.format(now);
  }

  private static Deployment deployment(DesiredService desired) {
    return new Deployment(desired.definition().id(), desired.deploymentId(), desired.version());
  }

  /** A service with desired state; changes are compare-and-swapped against the revision read. */
  private final class Service implements RunningService {
    private final DesiredService current;
    private final long revision;

    Service(Versioned<DesiredService> read) {
      this.current = read.value();
      this.revision = read.modRevision();
    }

    @Override
    public String id() {
      return current.definition().id();
    }

    @Override
    public ServiceDefinition definition() {
      return current.definition();
    }

    @Override
    public Deployment replace(ServiceDefinition desired, boolean force) {
      boolean scaleOnly = ServiceDefinition.differences(desired,
          current.definition().withInstances(desired.instances())).isEmpty();
      return write(desired, !scaleOnly, force);
    }

    @Override
    public Deployment change(Integer instances, String image, boolean force) {
      ServiceDefinition d = current.definition();
      ServiceDefinition changed = d.withImage(image != null ? image : d.image())
          .withInstances(instances != null ? instances : d.instances());
      return write(changed, image != null && !image.equals(d.image()), force);
    }

    @Override
    public Deployment restart(boolean force) {
      return write(current.definition(), true, force);
    }

    /** Writes the next desired state; {@code reconfigured}: its tasks are to be replaced (a new config version). */
    private Deployment write(ServiceDefinition definition, boolean reconfigured, boolean force) {
      if (!force) refuseWhileDeploying();
      String version = nextVersion(current.version());
      List<Integer> servicePorts = definition.ports().equals(current.definition().ports()) ? current.servicePorts()
          : ServicePorts.assign(definition, current.servicePorts(), call(() -> otherServicePorts(current.service())));
      DesiredService next = new DesiredService(definition, version, reconfigured ? version : current.configVersion(),
          UUID.randomUUID().toString(), servicePorts);
      if (!call(() -> store.replace(next, revision))) {
        throw new ClusterException(Failure.Kind.REFUSED, id() + " was changed by someone else meanwhile (its desired"
            + " state in etcd is no longer the one read); re-run to compare with what they wrote", null);
      }
      return deployment(next);
    }

    /** Marathon refuses to change a locked app (409); so does this, while the last change is not done. */
    private void refuseWhileDeploying() {
      Optional<ServiceProgress> progress = call(() -> store.progress(current.service()));
      if (progress.isPresent() && progress.get().deploymentId().equals(current.deploymentId())
          && progress.get().done()) {
        return;
      }
      String state = progress.isEmpty() || !progress.get().version().equals(current.version())
          ? "the framework has not reported on it yet (is bin/framework running for environment '"
              + store.environment() + "'?)"
          : "the framework reports " + ProgressWait.counts(progress.get())
              + (progress.get().pendingReason() == null ? "" : ", waiting: " + progress.get().pendingReason());
      throw new ClusterException(Failure.Kind.REFUSED, "Another deployment (" + current.deploymentId() + ") is still"
          + " changing " + id() + ": " + state + ".\nWait for it, or re-run with --force to deploy anyway.", null);
    }
  }

  /** The service ports the environment's other services hold, which a new assignment must not take. */
  private List<Integer> otherServicePorts(String service) {
    List<Integer> out = new ArrayList<>();
    store.list().services().forEach((name, d) -> {
      if (!name.equals(service)) out.addAll(d.servicePorts());
    });
    return out;
  }


  /** Runs an etcd call; failures become messages that say where the state lives. */
  private <T> T call(Supplier<T> request) {
    try {
      return request.get();
    } catch (EtcdException e) {
      throw new ClusterException(e.kind(), e.getMessage() + "\nThe mdo framework keeps its desired state in etcd;"
          + " is etcd running? Check etcd.endpoints in " + configFile + '.', e);
    } catch (IllegalArgumentException e) {
      throw new ClusterException(Failure.Kind.REFUSED, e.getMessage(), e);
    }
  }
}
