package mdo.framework.desired;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import mdo.registry.Etcd;
import mdo.registry.RegistryJson;
import mdo.registry.store.EtcdException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Desired state and progress in etcd ({@link FrameworkKeys}). Desired state is only ever written with a
 * compare-and-swap, so two launchers racing on one service cannot both win: the loser is told and nothing is lost.
 * Failures to reach etcd are {@link EtcdException}s. The client belongs to the caller.
 */
public final class DesiredStateStore {
  private static final Logger log = LoggerFactory.getLogger(DesiredStateStore.class);

  private final KV kv;
  private final String environment;
  private final Duration timeout;

  public DesiredStateStore(KV kv, String environment, Duration timeout) {
    this.kv = kv;
    this.environment = environment;
    this.timeout = timeout;
  }

  public String environment() {
    return environment;
  }

  /** The service's desired state, or empty when none was ever written. A malformed value is refused. */
  public Optional<Versioned<DesiredService>> read(String service) {
    String key = FrameworkKeys.service(environment, service);
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(key)), "read " + key, timeout);
    if (r.getKvs().isEmpty()) return Optional.empty();
    KeyValue v = r.getKvs().get(0);
    return Optional.of(new Versioned<>(DesiredJson.read(v.getValue().getBytes(), key), v.getModRevision()));
  }

  /**
   * Every service's desired state, and the revision it was read at. Values that are not desired states are logged and
   * left out: the framework then neither runs nor kills anything for them.
   */
  public Listing list() {
    String prefix = FrameworkKeys.services(environment);
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build()),
        "read " + prefix, timeout);
    Map<String, DesiredService> out = new LinkedHashMap<>();
    List<String> malformed = new ArrayList<>();
    for (KeyValue v : r.getKvs()) {
      String key = v.getKey().toString();
      String service = FrameworkKeys.nameUnder(prefix, key);
      if (service == null) continue;
      try {
        DesiredService d = DesiredJson.read(v.getValue().getBytes(), key);
        if (!d.service().equals(service)) throw new IllegalArgumentException("holds service '" + d.service() + "'");
        out.put(service, d);
      } catch (IllegalArgumentException e) {
        log.warn("skipped: {}", e.getMessage());
        malformed.add(key);
      }
    }
    return new Listing(out, malformed, r.getHeader().getRevision());
  }

  /** What {@link #list} read: the valid desired states by service, the keys that held something else. */
  public record Listing(Map<String, DesiredService> services, List<String> malformed, long revision) {}

  /** Writes a first desired state; false when the service already has one (someone else was quicker). */
  public boolean create(DesiredService desired) {
    return swap(desired, 0);
  }

  /** Replaces the desired state read at {@code modRevision}; false when it changed since. */
  public boolean replace(DesiredService desired, long modRevision) {
    if (modRevision <= 0) throw new IllegalArgumentException("a replace needs the revision read, got " + modRevision);
    return swap(desired, modRevision);
  }

  private boolean swap(DesiredService desired, long modRevision) {
    String key = FrameworkKeys.service(environment, desired.service());
    ByteSequence k = Etcd.bytes(key);
    Cmp cmp = modRevision == 0 ? new Cmp(k, Cmp.Op.EQUAL, CmpTarget.version(0))
        : new Cmp(k, Cmp.Op.EQUAL, CmpTarget.modRevision(modRevision));
    return EtcdException.await(kv.txn().If(cmp)
        .Then(Op.put(k, ByteSequence.from(DesiredJson.write(desired)), PutOption.DEFAULT)).commit(),
        "write " + key, timeout).isSucceeded();
  }

  /** The scheduler's progress on a service, or empty when it reported none (or wrote something unreadable). */
  public Optional<ServiceProgress> progress(String service) {
    String key = FrameworkKeys.progress(environment, service);
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(key)), "read " + key, timeout);
    if (r.getKvs().isEmpty()) return Optional.empty();
    return Optional.ofNullable(progress(r.getKvs().get(0), key));
  }

  /** Every service's progress, by service. */
  public Map<String, ServiceProgress> progressAll() {
    String prefix = FrameworkKeys.progressPrefix(environment);
    GetResponse r = EtcdException.await(kv.get(Etcd.bytes(prefix), GetOption.builder().isPrefix(true).build()),
        "read " + prefix, timeout);
    Map<String, ServiceProgress> out = new LinkedHashMap<>();
    for (KeyValue v : r.getKvs()) {
      String key = v.getKey().toString();
      String service = FrameworkKeys.nameUnder(prefix, key);
      ServiceProgress p = service == null ? null : progress(v, key);
      if (p != null) out.put(service, p);
    }
    return out;
  }

  private static ServiceProgress progress(KeyValue v, String key) {
    try {
      return RegistryJson.read(v.getValue().getBytes(), ServiceProgress.class, key);
    } catch (IllegalArgumentException e) {
      log.warn("skipped: {}", e.getMessage());
      return null;
    }
  }
}
