package mdo.subscriber;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterView;

/**
 * The apps of the environment as Marathon last listed them, learnt by watching the writer's listings and refreshes.
 * HTTP callbacks carry no credentials, so the app ids they name are checked against this before anything is asked of
 * Marathon: a forged body cannot make the subscriber fetch (with its credentials) apps that are not there.
 */
final class KnownApps implements ClusterView {
  private final ClusterView view;
  private final Set<String> ids = ConcurrentHashMap.newKeySet();

  KnownApps(ClusterView view) {
    this.view = view;
  }

  boolean contains(String appId) {
    return ids.contains(appId);
  }

  @Override
  public String name() {
    return view.name();
  }

  @Override
  public List<AppListing> list() {
    List<AppListing> listing = view.list();
    Set<String> now = ConcurrentHashMap.newKeySet();
    for (AppListing app : listing) if (app.service() != null) now.add(app.appId());
    ids.retainAll(now);
    ids.addAll(now);
    return listing;
  }

  @Override
  public Optional<AppListing> app(String appId) {
    Optional<AppListing> app = view.app(appId);
    if (app.isPresent() && app.get().service() != null) ids.add(appId);
    else ids.remove(appId);
    return app;
  }
}
