package mdo.cluster;

import java.util.List;
import java.util.Optional;

/**
 * What the registry writer needs from a cluster backend: the truth to reconcile against. The backend's live changes
 * reach the writer as {@link TaskObservation}s pushed into {@code RegistryWriter.apply} by whoever owns the event
 * source (the subscriber for Marathon, the scheduler for the native framework).
 *
 * <p>Both methods may block on the network; both throw a {@link mdo.command.Failure} when the backend cannot be asked
 * or refuses, and the writer then changes nothing.
 */
public interface ClusterView {
  /** The backend's name, as messages show it ("Marathon"). */
  String name();

  /** Every mdo deployment of the environment with its tasks. */
  List<AppListing> list();

  /** One deployment now, or empty when the backend says it does not exist. */
  Optional<AppListing> app(String appId);
}
