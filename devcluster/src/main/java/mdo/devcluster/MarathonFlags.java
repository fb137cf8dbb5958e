package mdo.devcluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Marathon start-up flags the dev cluster honours, checked as Marathon checks them at start-up.
 *
 * @param version the release to behave as ({@code --marathon-version})
 * @param features {@code --enable_features}: only {@code task_killing} changes behaviour here; the others are accepted
 *     because Marathon accepts them ({@code Features.scala})
 * @param httpCallbacks {@code --event_subscriber http_callback}: serves {@code /v2/eventSubscriptions} (1.4 only)
 * @param maxRunningDeployments {@code --max_running_deployments} (1.5+, default 100), or 0 on 1.4, which has no limit
 */
public record MarathonFlags(MarathonVersion version, Set<String> features, boolean httpCallbacks,
                           int maxRunningDeployments) {
  public static final String TASK_KILLING = "task_killing";
  public static final String GPU_RESOURCES = "gpu_resources";
  public static final String SECRETS = "secrets";
  /** {@code GroupManagerConfig.maxRunningDeployments} default. */
  public static final int DEFAULT_MAX_RUNNING_DEPLOYMENTS = 100;

  public MarathonFlags {
    Objects.requireNonNull(version, "version");
    features = Set.copyOf(features);
    Set<String> known = available(version);
    List<String> unknown = new ArrayList<>();
    for (String f : new TreeSet<>(features)) if (!known.contains(f)) unknown.add(f);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown feature(s) " + String.join(", ", unknown) + " for Marathon "
          + version + "; available: " + String.join(", ", new TreeSet<>(known)));
    }
    if (httpCallbacks && version.atLeast(5)) {
      throw new IllegalArgumentException("--event-subscriber http_callback exists up to Marathon 1.4 only (1.5 removed"
          + " the HTTP callback bus); use --marathon-version 1.4 or the /v2/events stream");
    }
    if (!version.atLeast(5) && maxRunningDeployments != 0) {
      throw new IllegalArgumentException("--max-running-deployments exists from Marathon 1.5 on");
    }
    if (version.atLeast(5) && maxRunningDeployments < 1) {
      throw new IllegalArgumentException("--max-running-deployments must be 1 or more, got " + maxRunningDeployments);
    }
  }

  /** What {@code marathon} with no flags does in this release. */
  public static MarathonFlags defaults(MarathonVersion version) {
    return new MarathonFlags(version, Set.of(), false, version.atLeast(5) ? DEFAULT_MAX_RUNNING_DEPLOYMENTS : 0);
  }

  /** The features {@code --enable_features} accepts in this release ({@code Features.scala}, 1.4 to 1.11). */
  public static Set<String> available(MarathonVersion version) {
    Set<String> features = new TreeSet<>(Set.of("vips", TASK_KILLING, "external_volumes", SECRETS, GPU_RESOURCES));
    // maintenance_mode was listed from 1.6 and dropped from the list in 1.8 ("on by default").
    if (version.atLeast(6) && !version.atLeast(8)) features.add("maintenance_mode");
    return features;
  }

  public boolean enabled(String feature) {
    return features.contains(feature);
  }

  /** TASK_KILLING and the {@code Killing} condition are reported only with this feature. */
  public boolean taskKilling() {
    return enabled(TASK_KILLING);
  }

  /** True when deployments are limited at all (1.5+). */
  public boolean limitsDeployments() {
    return maxRunningDeployments > 0;
  }

  public MarathonFlags withFeatures(Set<String> newFeatures) {
    return new MarathonFlags(version, newFeatures, httpCallbacks, maxRunningDeployments);
  }

  public MarathonFlags withHttpCallbacks(boolean enabled) {
    return new MarathonFlags(version, features, enabled, maxRunningDeployments);
  }

  public MarathonFlags withMaxRunningDeployments(int max) {
    return new MarathonFlags(version, features, httpCallbacks, max);
  }
}
