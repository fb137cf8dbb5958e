package mdo.framework.desired;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How far the leading scheduler got with a service's desired state, at {@link FrameworkKeys#progress}: what launcher
 * and updater wait on, and what the subscriber's {@code /info} shows.
 *
 * @param deploymentId the desired state's id this progress is about
 * @param version the desired state's version this progress is about
 * @param wanted instances the desired state asks for
 * @param running instances of the current configuration in TASK_RUNNING
 * @param healthy of those, the ones whose health check passed (only meaningful when {@code healthChecked})
 * @param staged instances of the current configuration launched but not running yet
 * @param old instances of an earlier configuration still running (a rolling update is under way)
 * @param done exactly {@code wanted} instances of the current configuration run (healthy where checked), and nothing
 *     else of the service does
 * @param pending tasks waiting for a place or a launch delay, 0 when none
 * @param pendingReason why they wait, for people: {@code no agent with port 9042 free}; null when nothing waits
 * @param lastFailure the last task failure: state, agent and message; null when none since the scheduler started
 * @param updatedAt when the scheduler wrote this
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ServiceProgress(String service, String deploymentId, String version, int wanted, int running,
    int healthy, int staged, int old, boolean healthChecked, boolean done, int pending, String pendingReason,
    String lastFailure, String updatedAt) {

  /** The same progress, ignoring when it was written: whether a write would change anything. */
  public boolean sameAs(ServiceProgress other) {
    return other != null && withUpdatedAt(null).equals(other.withUpdatedAt(null));
  }

  public ServiceProgress withUpdatedAt(String at) {
    return new ServiceProgress(service, deploymentId, version, wanted, running, healthy, staged, old, healthChecked,
        done, pending, pendingReason, lastFailure, at);
  }
}
