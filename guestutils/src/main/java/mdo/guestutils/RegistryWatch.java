package mdo.guestutils;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import mdo.command.DaemonThreads;
import mdo.registry.Etcd;
import mdo.registry.EtcdRanges;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live, in-memory mirror of an environment's registry ({@code /mdo/<env>/services/}), kept by one etcd watch.
 *
 * <ul>
 *   <li>Reads ({@link #read}) never touch the network: a warm node list costs microseconds. A service's snapshot is
 *       rebuilt on the first read after it changed, not on every watch response: applying a change costs the same
 *       whether the registry holds ten records or fifty thousand (the subscriber applies one per event it writes).
 *   <li>Values are kept as the bytes etcd sent and decoded on first read, once per change of a key: most services are
 *       never read by a given process (the subscriber reads only those with callback receivers), and JSON decoding was
 *       most of what applying a change cost. A malformed value is logged ({@code skipped: ...}) when first decoded and
 *       then left out of every read.
 *   <li>Changes are coalesced per service for {@code debounce}, then listeners get the full member list plus
 *       added/removed and the revision. A listener fires once at subscription with the current members.
 *   <li>It loads in pages at one revision ({@link EtcdRanges}), so a registry of any size loads; the watch then starts
 *       at the next revision.
 *   <li>After a disconnect (etcd restarted, network cut) it resumes watching from the last revision it saw, so no
 *       change is skipped; if etcd compacted that revision away it re-reads everything and diffs.
 * </ul>
 */
public final class RegistryWatch implements RegistryReader {
  private static final Logger log = LoggerFactory.getLogger(RegistryWatch.class);
  private static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
  private static final Duration LOAD_PAGE_TIMEOUT = Duration.ofSeconds(10);

  private final Client client;
  private final String environment;
  private final String prefix;
  private final Duration debounce;
  private final ScheduledExecutorService notifier;
  private final Object lock = new Object();
  /** service -> task id -> value; under the lock, like everything mutable here. */
  private final Map<String, Map<String, Instance>> byService = new HashMap<>();
  /**
   * task id -> its service, so {@link #containsTask} costs one lookup: the subscriber asks it for every callback
   * registration after each service change. Marathon task ids carry a UUID, so a task belongs to one service.
   */
  private final Map<String, String> serviceOfTask = new HashMap<>();
  /** Values decoded so far; tests read it to show that a value nobody reads is never decoded. */
  private long decodes;
  private final Set<String> dirty = new LinkedHashSet<>();
  /** Built snapshots (under the lock); a changed service's entry is removed and rebuilt when next read. */
  private final Map<String, ServiceSnapshot> snapshots = new HashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<String>> serviceHooks = new CopyOnWriteArrayList<>();
  private volatile long revision;
  private volatile boolean loaded;
  private boolean flushScheduled;
  private Watch.Watcher watcher;
  private volatile Duration reconnectDelay = Duration.ofMillis(100);
  private volatile boolean closed;

  public RegistryWatch(Client client, String environment, Duration debounce) {
    this.client = client;
    this.environment = environment;
    this.prefix = RegistryKeys.services(environment);
    this.debounce = debounce;
    this.notifier = Executors.newSingleThreadScheduledExecutor(DaemonThreads.factory("mdo-registry-watch"));
  }

  /** Loads the registry and starts watching; returns at once, retrying in the background while etcd is down. */
  public RegistryWatch start() {
    notifier.execute(this::load);
    return this;
  }

  /** Blocks until the first full read is done, or {@code timeout} passes. */
  public boolean awaitLoaded(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!loaded) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) return false;
        lock.wait(left);
      }
    }
    return true;
  }

  public String environment() {
    return environment;
  }

  /** The last registry revision this mirror reflects. */
  public long revision() {
    return revision;
  }

  @Override
  public ServiceSnapshot read(String service) throws RegistryUnavailableException {
    if (!loaded) throw new RegistryUnavailableException("registry watch has not loaded yet", null);
    return snapshot(service);
  }

  /** Every service with at least one (well-formed) instance. */
  public Set<String> services() {
    synchronized (lock) {
      Set<String> services = new HashSet<>();
      for (Map.Entry<String, Map<String, Instance>> service : byService.entrySet()) {
        // Decodes only until the first well-formed value: one member is enough to list the service.
        for (Map.Entry<String, Instance> e : service.getValue().entrySet()) {
          if (decode(e) != null) {
            services.add(service.getKey());
            break;
          }
        }
      }
      return Set.copyOf(services);
    }
  }

  /** Whether any service has a (well-formed) instance with this task id. */
  public boolean containsTask(String taskId) {
    synchronized (lock) {
      String service = serviceOfTask.get(taskId);
      if (service == null) return false;
      Map<String, Instance> instances = byService.get(service);
      Instance instance = instances.get(taskId);
      Instance decoded = decoded(instance);
      if (decoded != instance) instances.put(taskId, decoded);
      return decoded.record() != null;
    }
  }

  /** How many values were decoded (well-formed or not) since start. */
  long decodes() {
    synchronized (lock) {
      return decodes;
    }
  }

  /** The service's members at the last revision seen; built once per change, then cached. */
  private ServiceSnapshot snapshot(String service) {
    synchronized (lock) {
      ServiceSnapshot s = snapshots.get(service);
      if (s != null) return s;
      Map<String, Instance> instances = byService.get(service);
      if (instances == null) return ServiceSnapshot.empty(service, revision);
      List<InstanceRecord> records = new ArrayList<>(instances.size());
      for (Map.Entry<String, Instance> e : instances.entrySet()) {
        InstanceRecord r = decode(e);
        if (r != null) records.add(r);
      }
      if (records.isEmpty()) return ServiceSnapshot.empty(service, revision);
      s = new ServiceSnapshot(service, revision, records);
      snapshots.put(service, s);
      return s;
    }
  }

  @Override
  public void awaitChange(long seen, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (revision <= seen && !closed) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) return;
        lock.wait(left);
      }
    }
  }

  /**
   * Calls {@code listener} with the members of {@code service} that match {@code query}: once now (everything counts
   * as added), then after each change, coalesced. Calls come from one thread, in order.
   */
  public AutoCloseable listen(String service, NodeQuery query, Consumer<MembershipChange> listener) {
    Listener l = new Listener(service, query, listener);
    listeners.add(l);
    notifier.execute(() -> {
      if (loaded && !l.fired) l.fire(revision, true);
    });
    return () -> listeners.remove(l);
  }

  /** Calls {@code hook} with a service's name after any of its records changed (coalesced), and for all at load. */
  public AutoCloseable onServiceChange(Consumer<String> hook) {
    serviceHooks.add(hook);
    return () -> serviceHooks.remove(hook);
  }

  // ---- loading and watching (on the notifier thread, except jetcd's callbacks)

  private void load() {
    if (closed) return;
    try {
      // Read in pages at one revision into a new map, so readers keep the old mirror until the new one is complete.
      Map<String, Map<String, byte[]>> read = new HashMap<>();
      long rev = EtcdRanges.scan(client.getKVClient(), prefix, LOAD_PAGE_TIMEOUT, read::clear, kv -> {
        String key = kv.getKey().toString();
        String service = RegistryKeys.serviceOf(environment, key);
        if (service != null) read.computeIfAbsent(service, s -> new HashMap<>()).put(taskId(key), kv.getValue().getBytes());
      });
      synchronized (lock) {
        Map<String, Map<String, Instance>> old = new HashMap<>(byService);
        dirty.addAll(byService.keySet());
        byService.clear();
        serviceOfTask.clear();
        for (Map.Entry<String, Map<String, byte[]>> service : read.entrySet()) {
          Map<String, Instance> before = old.getOrDefault(service.getKey(), Map.of());
          for (Map.Entry<String, byte[]> e : service.getValue().entrySet()) {
            String key = RegistryKeys.instance(environment, service.getKey(), e.getKey());
            put(service.getKey(), e.getKey(), Instance.arrived(key, e.getValue(), before.get(e.getKey())));
          }
        }
        dirty.addAll(byService.keySet());
        revision = rev;
        snapshots.clear();
        boolean first = !loaded;
        loaded = true;
        lock.notifyAll();
        if (first) log.info("loaded: {} services at revision {}", byService.size(), rev);
      }
      reconnectDelay = Duration.ofMillis(100);
      flush();
      for (Listener l : listeners) if (!l.fired) l.fire(rev, true);
      watchFrom(rev + 1);
    } catch (Exception e) {
      if (e instanceof InterruptedException) Thread.currentThread().interrupt();
      log.warn("load failed: {}; retrying in {} ms", e.getMessage(), reconnectDelay.toMillis());
      retryLater(this::load);
    }
  }

  private static String taskId(String key) {
    return key.substring(key.lastIndexOf('/') + 1);
  }

  private void watchFrom(long fromRevision) {
    if (closed) return;
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).withRequireLeader(true).build();
    watcher = client.getWatchClient().watch(Etcd.bytes(prefix), option, Watch.listener(this::apply, this::failed));
  }

  private void failed(Throwable t) {
    if (closed) return;
    Watch.Watcher w = watcher;
    if (w != null) w.close();
    if (t instanceof CompactedException || t.getCause() instanceof CompactedException) {
      log.warn("watch compacted at revision {}: re-reading the registry", revision);
      retryLater(this::load);
    } else {
      log.warn("watch failed: {}; resuming from revision {} in {} ms", t.getMessage(), revision + 1,
          reconnectDelay.toMillis());
      retryLater(() -> watchFrom(revision + 1));
    }
  }

  private void retryLater(Runnable action) {
    if (closed) return;
    long delay = reconnectDelay.toMillis();
    reconnectDelay = reconnectDelay.multipliedBy(2).compareTo(MAX_RECONNECT_DELAY) > 0
        ? MAX_RECONNECT_DELAY : reconnectDelay.multipliedBy(2);
    notifier.schedule(action, delay, TimeUnit.MILLISECONDS);
  }

  private void apply(WatchResponse response) {
    reconnectDelay = Duration.ofMillis(100);
    Set<String> changed = new LinkedHashSet<>();
    synchronized (lock) {
      long rev = response.getHeader().getRevision();
      for (WatchEvent event : response.getEvents()) {
        String key = event.getKeyValue().getKey().toString();
        String service = RegistryKeys.serviceOf(environment, key);
        if (service == null) continue;
        String taskId = taskId(key);
        rev = Math.max(rev, event.getKeyValue().getModRevision());
        if (event.getEventType() == WatchEvent.EventType.DELETE) {
          remove(service, taskId);
        } else {
          Instance before = byService.getOrDefault(service, Map.of()).get(taskId);
          put(service, taskId, Instance.arrived(key, event.getKeyValue().getValue().getBytes(), before));
        }
        changed.add(service);
      }
      if (rev > revision) revision = rev;
      snapshots.keySet().removeAll(changed);
      dirty.addAll(changed);
      lock.notifyAll();
      if (!dirty.isEmpty() && !flushScheduled) {
        flushScheduled = true;
        notifier.schedule(this::flush, debounce.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }

  // ---- the mirror (all under the lock)

  private void put(String service, String taskId, Instance instance) {
    byService.computeIfAbsent(service, k -> new HashMap<>()).put(taskId, instance);
    serviceOfTask.put(taskId, service);
  }

  private void remove(String service, String taskId) {
    Map<String, Instance> instances = byService.get(service);
    if (instances == null) return;
    instances.remove(taskId);
    if (instances.isEmpty()) byService.remove(service);
    serviceOfTask.remove(taskId, service);
  }

  /** The entry's record, decoding it (and keeping the result in the map) if not done yet; {@code null} if malformed. */
  private InstanceRecord decode(Map.Entry<String, Instance> entry) {
    Instance decoded = decoded(entry.getValue());
    entry.setValue(decoded);
    return decoded.record();
  }

  private Instance decoded(Instance instance) {
    if (instance.decoded()) return instance;
    decodes++;
    try {
      return instance.decodedAs(RegistryJson.read(instance.json(), InstanceRecord.class, instance.key()));
    } catch (IllegalArgumentException e) {
      log.warn("skipped: {}", e.getMessage());
      return instance.decodedAs(null);
    }
  }

  /**
   * One instance's value as etcd sent it, and once read, what it decodes to.
   *
   * @param record the decoded value; {@code null} until decoded, and after it if the value is malformed
   */
  private record Instance(String key, byte[] json, InstanceRecord record, boolean decoded) {
    /**
     * A value that arrived; keeps the previous decode when the bytes are the same (writers rewrite unchanged records,
     * and a reload after compaction re-sends everything).
     */
    static Instance arrived(String key, byte[] json, Instance before) {
      if (before != null && before.key.equals(key) && Arrays.equals(before.json, json)) return before;
      return new Instance(key, json, null, false);
    }

    Instance decodedAs(InstanceRecord r) {
      return new Instance(key, json, r, true);
    }
  }

  private void flush() {
    Set<String> services;
    long rev;
    synchronized (lock) {
      flushScheduled = false;
      services = new LinkedHashSet<>(dirty);
      dirty.clear();
      rev = revision;
    }
    for (String service : services) {
      for (Consumer<String> hook : serviceHooks) {
        try {
          hook.accept(service);
        } catch (RuntimeException e) {
          log.warn("service hook failed for {}: {}", service, e.toString());
        }
      }
      for (Listener l : listeners) if (l.service.equals(service)) l.fire(rev, false);
    }
  }

  @Override
  public void close() {
    closed = true;
    Watch.Watcher w = watcher;
    if (w != null) w.close();
    notifier.shutdownNow();
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private final class Listener {
    final String service;
    final NodeQuery query;
    final Consumer<MembershipChange> consumer;
    List<InstanceRecord> last = List.of();
    boolean fired;

    Listener(String service, NodeQuery query, Consumer<MembershipChange> consumer) {
      this.service = service;
      this.query = query;
      this.consumer = consumer;
    }

    void fire(long rev, boolean initial) {
      List<InstanceRecord> now = snapshot(service).instances().stream().filter(query::matches).toList();
      if (fired && !initial && MembershipChange.sameMembers(last, now)) return;
      fired = true;
      MembershipChange change = MembershipChange.between(service, last, now, rev);
      last = now;
      try {
        consumer.accept(change);
      } catch (RuntimeException e) {
        log.warn("watch listener failed for {}: {}", service, e.toString());
      }
    }
  }
}
