package mdo.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import mdo.command.Failure;
import mdo.config.MdoConfig;

/**
 * What launcher and updater need from a cluster backend: run a {@link ServiceDefinition}, change what runs, and wait
 * for the change to finish. Backends are found with {@link java.util.ServiceLoader} through their {@link Provider}
 * ({@link #open}); launcher and updater never import one. Every method may block on the network and throws a
 * {@link ClusterException} saying what the backend answered.
 */
public interface ClusterBackend extends AutoCloseable {
  /** How messages name the backend: "Marathon". */
  String name();

  /** What {@link #create} would send for {@code service}, for {@code --dry-run}; no I/O. */
  String render(ServiceDefinition service);

  /** The service with deployment id {@code id} as the backend runs it, or empty when it does not. */
  Optional<RunningService> find(String id);

  Deployment create(ServiceDefinition service);

  /**
   * Waits until {@code deployment} is done and {@code wanted} instances run (healthy, where checked), reporting every
   * poll to {@code listener}; never longer than {@code timeout}.
   */
  DeploymentOutcome await(Deployment deployment, int wanted, Duration timeout, DeploymentListener listener)
      throws InterruptedException;

  @Override
  void close();

  /** A service the backend runs, as read by {@link #find}. */
  interface RunningService {
    String id();

    /** What runs now, in the same terms as a definition built from config. */
    ServiceDefinition definition();

    /** Replaces the whole definition; {@code force} overrides a deployment still changing it. */
    Deployment replace(ServiceDefinition desired, boolean force);

    /** Scales and/or rolls to a new image in one deployment; null leaves either as it is. */
    Deployment change(Integer instances, String image, boolean force);

    /** Replaces every instance, rolling. */
    Deployment restart(boolean force);
  }

  /** Opens a backend by the name config.yaml gives it ({@code backend: marathon}). */
  interface Provider {
    String name();

    /** @param pollInterval how often to ask for progress, where the backend polls */
    ClusterBackend open(MdoConfig config, Duration pollInterval);
  }

  /** The backend {@code config} names, from the providers on the class path. */
  static ClusterBackend open(MdoConfig config, Duration pollInterval) {
    List<String> known = new ArrayList<>();
    for (Provider p : ServiceLoader.load(Provider.class)) {
      if (p.name().equals(config.backend())) return p.open(config, pollInterval);
      known.add(p.name());
    }
    throw new ClusterException(Failure.Kind.BAD_INPUT, "backend '" + config.backend()
        + "' (from " + config.file() + ") is not installed with this command; installed: " + known, null);
  }
}
