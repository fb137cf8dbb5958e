package mdo.framework.scheduler;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import mdo.cluster.AppListing;
import mdo.cluster.ClusterException;
import mdo.cluster.ClusterView;
import mdo.cluster.Labels;
import mdo.cluster.TaskObservation;
import mdo.command.Failure;
import mdo.framework.desired.DesiredService;
import mdo.framework.state.FrameworkTask;

/**
 * The framework's own state as the registry writer's truth: every service with desired state or tasks, and every task
 * the scheduler has not seen end, worded as {@link Observations} words them. No I/O: it reads the scheduler's latest
 * {@link Scheduler.Snapshot}, so a resync never waits for Mesos.
 */
public final class FrameworkClusterView implements ClusterView {
  private final String environment;
  private final Supplier<Scheduler.Snapshot> snapshot;

  public FrameworkClusterView(String environment, Supplier<Scheduler.Snapshot> snapshot) {
    this.environment = environment;
    this.snapshot = snapshot;
  }

  @Override
  public String name() {
    return "mdo framework";
  }

  @Override
  public List<AppListing> list() {
    Scheduler.Snapshot s = loaded();
    TreeSet<String> services = new TreeSet<>(s.desired().keySet());
    for (FrameworkTask t : s.tasks()) services.add(t.service());
    List<AppListing> out = new ArrayList<>();
    for (String service : services) out.add(listing(s, service));
    return out;
  }

  @Override
  public Optional<AppListing> app(String appId) {
    Scheduler.Snapshot s = loaded();
    for (String service : s.desired().keySet()) {
      if (Labels.appId(environment, service).equals(appId)) return Optional.of(listing(s, service));
    }
    for (FrameworkTask t : s.tasks()) {
      if (Labels.appId(environment, t.service()).equals(appId)) return Optional.of(listing(s, t.service()));
    }
    return Optional.empty();
  }

  private Scheduler.Snapshot loaded() {
    Scheduler.Snapshot s = snapshot.get();
    if (s == null || !s.desiredLoaded()) {
      throw new ClusterException(Failure.Kind.UNAVAILABLE, "the scheduler has not read the desired state yet", null);
    }
    return s;
  }

  private AppListing listing(Scheduler.Snapshot s, String service) {
    DesiredService d = s.desired().get(service);
    List<TaskObservation.Task> tasks = new ArrayList<>();
    for (FrameworkTask t : s.tasks()) {
      if (t.service().equals(service)) tasks.add(Observations.of(environment, t, d, true, null));
    }
    return new AppListing(Labels.appId(environment, service), service, d == null ? 0 : d.instances(), tasks);
  }
}
