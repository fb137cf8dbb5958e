package mdo.devcluster.api;

/**
 * A path under a wildcard route that names no endpoint; answered like any unknown route (see {@link ApiServer}).
 */
final class RouteNotFound extends RuntimeException {
  RouteNotFound() {
    super(null, null, false, false);
  }
}
