package mdo.framework.backend;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import mdo.cluster.Deployment;
import mdo.cluster.DeploymentListener;
import mdo.cluster.DeploymentListener.Progress;
import mdo.cluster.DeploymentOutcome;
import mdo.command.Durations;
import mdo.framework.desired.DesiredService;
import mdo.framework.desired.DesiredStateStore;
import mdo.framework.desired.FrameworkKeys;
import mdo.framework.desired.ServiceProgress;
import mdo.framework.desired.Versioned;
import mdo.registry.Etcd;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.registry.store.EtcdException;

/**
 * Waits for the framework to finish a deployment, watching the service's progress key and desired state in etcd
 * (re-reading every poll interval as well, so a broken watch only slows it down). Success: the framework reports the
 * deployment done and the registry holds at least the wanted number of ready instance records of the service, so a
 * container looking its peers up afterwards finds them. Failure: the desired state was replaced or deleted meanwhile,
 * or the timeout passed; the message then says what the framework reports (counts, why tasks wait, the last failure).
 * While no {@code bin/framework} leads the environment, the wait says so once (and again if it happens anew).
 */
final class ProgressWait implements AutoCloseable {

  private final Client etcd;
  private final DesiredStateStore store;
  private final Deployment deployment;
  private final String service;
  private final Duration pollInterval;
  private final Semaphore changed = new Semaphore(0);
  private final Watch.Watcher progressWatch;
  private final Watch.Watcher desiredWatch;
  private final String leaderKey;
  private boolean toldLeaderless;

  ProgressWait(Client etcd, DesiredStateStore store, Deployment deployment, String service, Duration pollInterval) {
    this.etcd = etcd;
    this.store = store;
    this.deployment = deployment;
    this.service = service;
    this.pollInterval = pollInterval;
    this.leaderKey = FrameworkKeys.leader(store.environment());
    Watch.Listener wake = Watch.listener(response -> changed.release(), error -> changed.release());
    this.progressWatch = etcd.getWatchClient().watch(Etcd.bytes(FrameworkKeys.progress(store.environment(), service)),
        WatchOption.DEFAULT, wake);
    this.desiredWatch = etcd.getWatchClient().watch(Etcd.bytes(FrameworkKeys.service(store.environment(), service)),
        WatchOption.DEFAULT, wake);
  }

  DeploymentOutcome await(int wanted, Duration timeout, DeploymentListener listener) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ServiceProgress last = null;
    String lastProblem = null;
    while (true) {
      try {
        Optional<Versioned<DesiredService>> desired = store.read(service);
        if (desired.isEmpty()) {
          return new DeploymentOutcome(false, deployment.id() + " no longer has a desired state in etcd (deleted while"
              + " deploying?)");
        }
        DesiredService now = desired.get().value();
        if (!now.deploymentId().equals(deployment.deploymentId())) {
          return new DeploymentOutcome(false, "deployment " + deployment.deploymentId() + " of " + deployment.id()
              + " was superseded by deployment " + now.deploymentId() + " (version " + now.version()
              + ") before it finished.");
        }
        Optional<ServiceProgress> progress = store.progress(service);
        boolean ours = progress.isPresent() && deployment.deploymentId().equals(progress.get().deploymentId());
        if (ours) last = progress.get();
        boolean leaderless = !ours && !leaderPresent();
        if (leaderless && !toldLeaderless) {
          listener.retrying("no bin/framework leads environment '" + store.environment() + "' (nothing at "
              + leaderKey + "); the deployment waits for one");
        }
        toldLeaderless = leaderless;
        Progress p = ours ? progress(last, wanted)
            : new Progress(deployment.id(), 0, 0, 0, wanted, now.definition().health() != null, true);
        listener.progress(p);
        if (ours && last.done() && readyRecords() >= wanted) {
          return new DeploymentOutcome(true, "deployment finished, " + p.counts());
        }
        lastProblem = null;
      } catch (EtcdException e) {
        lastProblem = e.getMessage();
        listener.retrying(lastProblem);
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) return timedOut(timeout, last, lastProblem);
      if (changed.tryAcquire(Math.max(1, Math.min(pollInterval.toNanos(), remaining)), TimeUnit.NANOSECONDS)) {
        changed.drainPermits();
      }
    }
  }

  /** Whether a {@code bin/framework} leads the environment (its leader key exists). */
  private boolean leaderPresent() {
    return EtcdException.await(etcd.getKVClient().get(Etcd.bytes(leaderKey), GetOption.builder().withCountOnly(true)
        .build()), "read " + leaderKey, Duration.ofSeconds(5)).getCount() > 0;
  }

  private Progress progress(ServiceProgress p, int wanted) {
    return new Progress(deployment.id(), p.running(), p.healthy(), p.staged(), wanted, p.healthChecked(), !p.done());
  }

  /** Instance records of the service a container would count as a peer. */
  private int readyRecords() {
    String prefix = RegistryKeys.instances(store.environment(), service);
    var response = EtcdException.await(etcd.getKVClient().get(Etcd.bytes(prefix),
        GetOption.builder().isPrefix(true).build()), "read " + prefix, Duration.ofSeconds(5));
    int ready = 0;
    for (KeyValue kv : response.getKvs()) {
      try {
        InstanceRecord r = RegistryJson.read(kv.getValue().getBytes(), InstanceRecord.class, kv.getKey().toString());
        if (r.ready()) ready++;
      } catch (IllegalArgumentException e) {
        // not a record: the framework's resync replaces it
      }
    }
    return ready;
  }

  private DeploymentOutcome timedOut(Duration timeout, ServiceProgress last, String lastProblem) {
    StringBuilder sb = new StringBuilder("timed out after ").append(Durations.format(timeout)).append(" waiting for ")
        .append(deployment.id());
    if (last != null) sb.append(": ").append(counts(last));
    sb.append('.');
    if (lastProblem != null) {
      sb.append(" Last poll failed: ").append(lastProblem);
    } else if (last == null) {
      sb.append(" The framework never reported on deployment ").append(deployment.deploymentId())
          .append(": is bin/framework running for environment '").append(store.environment()).append("'?");
    } else {
      if (last.pendingReason() != null) {
        sb.append("\n").append(last.pending()).append(" waiting: ").append(last.pendingReason());
      }
      if (last.lastFailure() != null) sb.append("\nLast task failure: ").append(last.lastFailure());
    }
    sb.append("\nThe framework keeps deploying; see the subscriber's /info or bin/framework's /health. Re-run with a"
        + " longer --timeout to keep waiting.");
    return new DeploymentOutcome(false, sb.toString());
  }

  /** {@code 2/3 running, 1/3 healthy}, as Marathon's wait prints it. */
  static String counts(ServiceProgress p) {
    return new Progress(null, p.running(), p.healthy(), p.staged(), p.wanted(), p.healthChecked(), !p.done()).counts();
  }

  @Override
  public void close() {
    progressWatch.close();
    desiredWatch.close();
  }
}
