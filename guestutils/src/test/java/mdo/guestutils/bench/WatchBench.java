package mdo.guestutils.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mdo.guestutils.RegistryWatch;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import mdo.registry.RegistryJson;
import mdo.registry.RegistryKeys;
import mdo.testkit.EtcdServer;

/**
 * Prints the CPU a {@link RegistryWatch} spends per applied watch event while nobody reads it: what the subscriber's
 * callback watch costs during a burst of registry writes. A writer on its own etcd client puts real-sized instance
 * records in batched transactions (as the subscriber's registry writer does); the watch runs on a second client, so
 * the watch client's callback thread does nothing but parse and apply watch responses; its CPU time is read with
 * {@link ThreadMXBean}.
 *
 * <pre>bin/bench-guestutils watch [puts=20000] [rounds=3]</pre>
 */
public final class WatchBench {
  static final int SERVICES = 100;
  static final int BATCH = 100;
  static final int IN_FLIGHT = 4;
  static final String[] STATES = {"TASK_STAGING", "TASK_STARTING", "TASK_RUNNING", "TASK_RUNNING"};

  public static void main(String[] args) throws Exception {
    int puts = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!threads.isCurrentThreadCpuTimeSupported()) throw new IllegalStateException("thread CPU time not supported");
    threads.setThreadCpuTimeEnabled(true);
    Thread[] watchThread = new Thread[1];
    ExecutorService watchExecutor = Executors.newSingleThreadExecutor(r -> {
      watchThread[0] = new Thread(r, "bench-watch-client");
      watchThread[0].setDaemon(true);
      return watchThread[0];
    });
    watchExecutor.submit(() -> { }).get(); // starts the thread, so its CPU time can be read from the first round
    try (EtcdServer etcd = EtcdServer.start();
        Client writer = Etcd.client(EtcdSettings.of(etcd.endpoint()));
        Client watchClient = watchClient(etcd.endpoint(), watchExecutor)) {
      String env = "bench";
      System.out.printf("record size: %d bytes; %d services; %d puts per burst in transactions of %d; %d cores, load %s%n",
          RegistryJson.write(record(0, 0, "TASK_RUNNING")).length, SERVICES, puts, BATCH,
          Runtime.getRuntime().availableProcessors(), GuestBench.loadAverage());
      try (RegistryWatch watch = new RegistryWatch(watchClient, env, Duration.ofMillis(100)).start()) {
        if (!watch.awaitLoaded(Duration.ofSeconds(10))) throw new IllegalStateException("watch did not load");
        burst(writer, watch, env, puts, 0); // warm-up: the JIT compiles the watch path; not reported
        for (int round = 1; round <= rounds; round++) {
          long cpuBefore = threads.getThreadCpuTime(watchThread[0].getId());
          long wall = System.nanoTime();
          burst(writer, watch, env, puts, round);
          wall = System.nanoTime() - wall;
          long cpu = threads.getThreadCpuTime(watchThread[0].getId()) - cpuBefore;
          if (cpu <= 0) throw new IllegalStateException("the watch's callbacks did not run on " + watchThread[0].getName());
          System.out.printf("round %d: %d events applied in %d ms; watch thread CPU %d ms = %,d ns per event%n",
              round, puts, wall / 1_000_000, cpu / 1_000_000, cpu / puts);
        }
      }
    } finally {
      watchExecutor.shutdownNow();
    }
  }

  /**
   * Puts {@code puts} records (each task written through its states, as Marathon reports them) and returns once the
   * watch has applied the last revision.
   */
  static void burst(Client writer, RegistryWatch watch, String env, int puts, int round)
      throws Exception {
    int tasks = puts / STATES.length;
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    int written = 0;
    for (String state : STATES) {
      for (int start = 0; start < tasks && written < puts; start += BATCH) {
        List<Op> ops = new ArrayList<>(BATCH);
        for (int t = start; t < Math.min(tasks, start + BATCH) && written < puts; t++, written++) {
          InstanceRecord r = record(t, round, state);
          ops.add(Op.put(Etcd.bytes(RegistryKeys.instance(env, r.service(), r.taskId())),
              ByteSequence.from(RegistryJson.write(r)), PutOption.DEFAULT));
        }
        inFlight.add(writer.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit());
        if (inFlight.size() >= IN_FLIGHT) {
          for (CompletableFuture<?> f : inFlight) f.get(10, TimeUnit.SECONDS);
          inFlight.clear();
        }
      }
    }
    for (CompletableFuture<?> f : inFlight) f.get(10, TimeUnit.SECONDS);
    // Every put is committed: the store's current revision is the last one the watch must apply.
    long lastRevision = writer.getKVClient().get(Etcd.bytes("x")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (watch.revision() < lastRevision) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("watch did not catch up within 60 s");
      watch.awaitChange(watch.revision(), Duration.ofMillis(5));
    }
  }

  /**
   * A client whose gRPC callbacks (message parsing, jetcd's watch handling, {@code RegistryWatch.apply}) all run on one
   * thread of ours, instead of gRPC's shared executor that the writer's client also uses.
   */
  static Client watchClient(String endpoint, ExecutorService executor) {
    ClientInterceptor onOurThread = new ClientInterceptor() {
      @Override
      public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
        return next.newCall(method, options.withExecutor(executor));
      }
    };
    return Client.builder().endpoints(endpoint).interceptor(onOurThread).build();
  }

  /** A record the size the subscriber writes: a Marathon task id with a UUID, three ports, the mdo labels. */
  static InstanceRecord record(int task, int round, String state) {
    String service = "service-" + (task % SERVICES);
    int ordinal = task / SERVICES;
    String taskId = service + ".3f2a1b4c-7c0e-11ef-" + String.format("%04x", round) + "-" + String.format("%012x", task);
    return new InstanceRecord(service, taskId, service + ".instance-3f2a1b4c-7c0e-11ef-9f0a-" + String.format("%012x", task),
        ordinal, "10.0." + (task / 250 % 250) + "." + (task % 250 + 1),
        Map.of("http", new PortMapping(31000 + task % 1000, 8080, "tcp"), "admin", new PortMapping(32000 + task % 1000, 8081, "tcp"),
            "metrics", new PortMapping(33000 + task % 1000, 9100, "tcp")),
        Map.of("MDO_SERVICE", service, "MDO_ENVIRONMENT", "bench"), state, "TASK_RUNNING".equals(state) ? Boolean.TRUE : null,
        false, "/bench/" + service, "2026-11-21T10:00:00.000Z", "5f9c1e2a-8d3b-4c7e-a1f0-6b2d9e8c7a41-S" + (task % 5),
        "2026-11-21T10:00:01.000Z", "2026-11-21T10:00:0" + (round % 10) + ".000Z");
  }

  private WatchBench() {}
}
