package mdo.cluster;

import java.util.List;

/**
 * One deployment of a service as its backend lists it now: the truth a resync or a refresh reconciles against.
 *
 * @param service null when the deployment is not mdo's for this environment (then its records go)
 * @param instances how many instances the backend is asked to run
 * @param tasks every task it knows of, terminal ones included
 */
public record AppListing(String appId, String service, int instances, List<TaskObservation.Task> tasks) {
  public AppListing {
    tasks = List.copyOf(tasks);
  }
}
