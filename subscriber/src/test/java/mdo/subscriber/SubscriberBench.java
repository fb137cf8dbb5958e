package mdo.subscriber;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import mdo.config.MarathonSettings;
import mdo.config.SubscriberSettings;
import mdo.marathon.MarathonClient;
import mdo.marathon.MarathonClusterView;
import mdo.registry.Etcd;
import mdo.registry.EtcdSettings;
import mdo.registry.store.EtcdRegistryStore;
import mdo.registry.writer.RegistryWriter;
import mdo.registry.writer.ResyncResult;
import mdo.testkit.EtcdServer;
import mdo.testkit.MarathonSimulation;
import mdo.testkit.Payloads;

/**
 * {@code bin/bench-subscriber}: replays a recorded event stream into a running subscriber backed by a real etcd and
 * prints throughput, latency and resync figures next to the raw etcd batched-put throughput measured in the same run.
 * {@code bin/bench-subscriber scale} runs {@link ScaleBench} instead: 50,000 instances.
 *
 * <p>The stream is built from the real {@code status_update_event.sse-task-running.json} payload with synthetic 1.8+
 * task ids, spread over {@link #APPS} apps. Latencies are measured from just before an event is written to the SSE
 * socket to the moment an etcd watch on the registry prefix sees its key: the time until other hosts can see it.
 */
public final class SubscriberBench {
  static final int APPS = 20;
  static final int BURST = 40_000;
  static final int WARMUP_ROUNDS = 3;
  static final int MAX_WARMUP_BURSTS = 12;
  /** Below this the compiler's share of a burst is noise (a few small methods). */
  static final double COMPILER_IDLE_NS_PER_EVENT = 2_000;
  static final int ROUNDS = 5;
  static final int RATE = 1_000;
  static final int PACED_SECONDS = 5;
  /** gRPC's and Netty's small-message paths keep C2 busy for ~15 s at 1,000 events/s before they settle. */
  static final int PACED_WARMUP_SECONDS = 20;
  static final int RESYNC_TASKS = 10_000;
  static final String V1 = "2026-01-01T00:00:00.000Z";

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    if (args.length > 0 && args[0].equals("scale")) {
      ScaleBench.run();
      System.exit(0);
    }
    try (EtcdServer etcd = EtcdServer.start(); MarathonSimulation marathon = new MarathonSimulation().start()) {
      Client client = Etcd.client(EtcdSettings.of(etcd.endpoint()));
      System.out.printf("machine: %d cores, Java %s, etcd %s (fresh data dir)%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), etcd.endpoint());
      // JIT and etcd warm-up, not reported: the client's put path is compiled before it is measured
      byte[] eventBytes = Payloads.marathon("events/status_update_event.sse-task-running.json").getBytes();
      for (int i = 0; i < WARMUP_ROUNDS; i++) {
        rawPutThroughput(client.getKVClient(), BURST, "rawwarmup", eventBytes);
        tidy(client, "rawwarmup");
      }
      awaitJitQuiet();
      Cpu singleCpu = Cpu.now();
      long[] single = singlePutLatency(client.getKVClient(), 300);
      Cpu singleUsed = Cpu.now().minus(singleCpu);
      System.out.printf("raw etcd single put+await: p50 %.1f ms, p99 %.1f ms (the floor under event->etcd latency);"
          + " CPU per put: etcd %.0f us, this JVM %.0f us (JIT %d ms)%n", pct(single, 50), pct(single, 99),
          singleUsed.etcd / 1e3 / single.length, singleUsed.process / 1e3 / single.length, singleUsed.jitMillis);

      String env = "bench";
      for (int a = 0; a < APPS; a++) marathon.putApp(app(env, "svc" + a));
      SubscriberSettings settings = new SubscriberSettings("127.0.0.1", 0, null, "bench", SubscriberSettings.EventSource.SSE,
          Duration.ofMinutes(30), null, Duration.ofSeconds(35), List.of());
      SubscriberConfig config = new SubscriberConfig(EtcdSettings.of(etcd.endpoint()), MarathonSettings.of(marathon.url()),
          settings, env, SubscriberConfig.Tuning.defaults());
      Arrivals arrivals = null;
      try (Subscriber subscriber = new Subscriber(config).start()) {
        marathon.awaitStreams(1, Duration.ofSeconds(10));
        waitUntil(() -> subscriber.lastResync() != null, Duration.ofSeconds(10));

        String prefix = "/mdo/" + env + "/services/";
        // 0. warm-up, not reported: a subscriber runs for months, so its figures are of compiled code. A steady stream
        // first, because C2 needs spare CPU to compile: in a burst the compiler is starved and the queued compilations
        // of methods no longer called when the burst ends are dropped (TieredCompileTaskTimeout). Then bursts until
        // the compiler stays idle during one: code run once per transaction (~200 per burst) needs thousands of calls
        // before C2 compiles it. Every task is new, so every event is a write; after each burst its tasks fail, which
        // deletes their records, so the registry does not grow from round to round.
        int next = 1_000_000;
        try (Arrivals warmup = new Arrivals(client, prefix)) { // closed after: no extra watch during the bursts
          next = paced(marathon, subscriber, warmup, env, next, RATE, PACED_WARMUP_SECONDS, false);
        }
        int warmupBursts = 0;
        double compilerPerEvent = Double.MAX_VALUE;
        while (warmupBursts < MAX_WARMUP_BURSTS && compilerPerEvent > COMPILER_IDLE_NS_PER_EVENT) {
          Burst warm = new Burst();
          int first = next;
          next = burst(marathon, subscriber, client, env, first, warm);
          retire(marathon, subscriber, env, first);
          tidy(client, null);
          compilerPerEvent = warm.cpu.compilerThreads / (double) BURST;
          warmupBursts++;
        }
        System.out.printf("warm-up: %d s at %,d events/s, then %d bursts (the JIT compiler used %.1f us per event in"
            + " the last)%n", PACED_WARMUP_SECONDS, RATE, warmupBursts, compilerPerEvent / 1e3);

        // 1. sustained throughput: the whole recorded stream at once, alternating with raw etcd rounds so both see
        // the same machine; each round's ratio is printed and the median is the figure
        double[] ratios = new double[ROUNDS];
        double[] casRatios = new double[ROUNDS];
        byte[] record = someRecord(client, prefix);
        System.out.printf("raw etcd puts write a record the subscriber wrote (%d bytes) under keys of the registry's shape%n",
            record.length);
        for (int round = 0; round < ROUNDS; round++) {
          awaitJitQuiet();
          Cpu rawCpu = Cpu.now();
          double raw = rawPutThroughput(client.getKVClient(), BURST, "raw", record);
          Cpu rawUsed = Cpu.now().minus(rawCpu);
          tidy(client, "raw");
          System.out.printf("round %d: raw etcd batched puts: %,.0f puts/s (%d puts, txns of 100, 8 in flight);"
              + " CPU per put: etcd %.0f us, this JVM %.0f us (jetcd client, GC)%n", round + 1, raw, BURST,
              rawUsed.etcd / 1e3 / BURST, rawUsed.process / 1e3 / BURST);
          awaitJitQuiet();
          Cpu casCpu = Cpu.now();
          double cas = rawPutThroughput(client.getKVClient(), BURST, "raw", record, true);
          Cpu casUsed = Cpu.now().minus(casCpu);
          tidy(client, "raw");
          System.out.printf("round %d: raw etcd batched create-if-absent puts (a version == 0 compare each, as the"
              + " subscriber's creates): %,.0f puts/s; CPU per put: etcd %.0f us, this JVM %.0f us%n", round + 1, cas,
              casUsed.etcd / 1e3 / BURST, casUsed.process / 1e3 / BURST);
          Burst b = new Burst();
          int first = next;
          next = burst(marathon, subscriber, client, env, first, b);
          retire(marathon, subscriber, env, first);
          tidy(client, null);
          ratios[round] = b.eventsPerSecond / raw;
          casRatios[round] = b.eventsPerSecond / cas;
          System.out.printf("round %d: subscriber sustained: %,.0f events/s (%d status_update_events over %d apps in %.2f s;"
              + " read off the stream after %.2f s; %d etcd transactions, %.0f changes each) = %.0f%% of raw etcd puts,"
              + " %.0f%% of raw create-if-absent puts%n",
              round + 1, b.eventsPerSecond, BURST, APPS, b.seconds, b.readSeconds, b.txns, BURST / (double) b.txns,
              100 * ratios[round], 100 * casRatios[round]);
          Cpu used = b.cpu;
          System.out.printf("  CPU per event: subscriber %.0f us (its threads, incl. its etcd client), harness %.0f us"
              + " (Marathon simulation, bench main thread), JVM %.0f us (GC threads %.0f us in %d young GCs, %d ms paused;"
              + " JIT compiler threads %.0f us), etcd %.0f us; machine busy %.0f%% (raw puts: %.0f%%)%n",
              used.subscriber / 1e3 / BURST, used.harness / 1e3 / BURST, used.jvm() / 1e3 / BURST,
              used.gcThreads / 1e3 / BURST, used.gcs, used.gcMillis, used.compilerThreads / 1e3 / BURST,
              used.etcd / 1e3 / BURST, 100 * used.machineBusy(), 100 * rawUsed.machineBusy());
          double perEvent = (used.subscriber + used.jvm() + used.etcd) / 1e3 / BURST;
          double perPut = (rawUsed.process + rawUsed.etcd) / 1e3 / BURST;
          System.out.printf("  CPU-bound ceiling on %d cores without the harness: subscriber+GC+etcd %.0f us/event ->"
              + " %,.0f events/s; raw puts %.0f us/put (etcd + client) -> %,.0f puts/s; ratio %.0f%%%n",
              Runtime.getRuntime().availableProcessors(), perEvent,
              Runtime.getRuntime().availableProcessors() * 1e6 / perEvent, perPut,
              Runtime.getRuntime().availableProcessors() * 1e6 / perPut, 100 * perPut / perEvent);
        }
        System.out.printf("subscriber sustained: median %.0f%% of raw etcd puts over %d rounds %s (target >= 90%%);"
            + " median %.0f%% of raw create-if-absent puts %s%n",
            100 * median(ratios), ROUNDS, percents(ratios), 100 * median(casRatios), percents(casRatios));

        // 2. latency at a steady rate: a light one, then the target 1,000 events/s
        arrivals = new Arrivals(client, prefix);
        // an unreported pass at each rate first: small transactions run code the burst never did, and the JIT
        // compiling it meanwhile would be measured as the subscriber's latency (a subscriber runs for months)
        next = paced(marathon, subscriber, arrivals, env, next, 100, 3, false);
        next = paced(marathon, subscriber, arrivals, env, next, 100, 3, true);
        next = paced(marathon, subscriber, arrivals, env, next, RATE, PACED_WARMUP_SECONDS, false);
        paced(marathon, subscriber, arrivals, env, next, RATE, PACED_SECONDS, true);
      }
      if (arrivals != null) arrivals.close();

      // 3. resync of 10,000 tasks, then again with nothing changed
      MarathonSimulation big = new MarathonSimulation().start();
      RegistryWriter closeLater = null;
      try {
        String env2 = "benchresync";
        for (int a = 0; a < APPS; a++) big.putApp(app(env2, "svc" + a));
        for (int i = 0; i < RESYNC_TASKS; i++) big.putTask(task(env2, i % APPS, taskId(env2, i % APPS, i), i));
        RegistryWriter writer = new RegistryWriter(env2, new EtcdRegistryStore(client.getKVClient(),
            Duration.ofSeconds(10)), new MarathonClusterView(new MarathonClient(MarathonSettings.of(big.url())), env2),
            Duration.ofSeconds(10), null);
        ResyncResult first = writer.resync(false);
        System.out.printf("resync of %,d tasks into an empty registry: %d ms (%s)%n", RESYNC_TASKS, first.took().toMillis(),
            first.summary());
        List<Long> again = new ArrayList<>();
        closeLater = writer;
        ResyncResult second = null;
        for (int i = 0; i < 3; i++) {
          second = writer.resync(false);
          again.add(second.took().toMillis());
        }
        System.out.printf("resync of %,d tasks with nothing changed: %s ms over 3 runs, %d writes%n", RESYNC_TASKS, again,
            second.writes());
      } finally {
        if (closeLater != null) closeLater.close();
        big.close();
      }
      client.close();
    }
    System.exit(0);
  }

  /** What one burst measured. */
  static final class Burst {
    double eventsPerSecond;
    double seconds;
    double readSeconds;
    long txns;
    Cpu cpu;
  }

  /**
   * Writes {@link #BURST} new tasks' status_update_events to the stream at once, starting at task number {@code first},
   * and waits until all are in etcd; fills {@code into} when given. Returns the next task number.
   */
  static int burst(MarathonSimulation marathon, Subscriber subscriber, Client client, String env, int first, Burst into)
      throws Exception {
    String prefix = "/mdo/" + env + "/services/";
    long before = count(client, prefix);
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < BURST; i++) {
      int n = first + i;
      int app = n % APPS;
      String taskId = taskId(env, app, n);
      marathon.putTask(task(env, app, taskId, n));
      stream.append(frame(event(env, app, taskId, n)));
    }
    String frames = stream.toString();
    System.gc(); // the simulation's setup garbage and its new tasks are not the subscriber's to collect
    awaitJitQuiet(); // nor is compiling the code that just built them
    Cpu cpu0 = Cpu.now();
    long revision0 = revision(client);
    long received0 = subscriber.received();
    double written0 = written(subscriber);
    long t0 = System.nanoTime();
    marathon.emitRaw(frames);
    waitUntil(() -> subscriber.received() - received0 >= BURST, Duration.ofSeconds(120));
    double readSeconds = (System.nanoTime() - t0) / 1e9;
    // Completion is the subscriber's count of writes etcd acknowledged (an acknowledged write is visible to every
    // reader), so neither a watch nor polling reads compete with it for etcd's CPU; counted in etcd afterwards.
    waitUntil(() -> written(subscriber) - written0 >= BURST, Duration.ofSeconds(120));
    double seconds = (System.nanoTime() - t0) / 1e9;
    long stored = count(client, prefix) - before;
    if (stored != BURST) throw new IllegalStateException("etcd holds " + stored + " of the " + BURST + " new records");
    if (into != null) {
      into.cpu = Cpu.now().minus(cpu0);
      into.txns = revision(client) - revision0;
      into.seconds = seconds;
      into.readSeconds = readSeconds;
      into.eventsPerSecond = BURST / seconds;
    }
    return first + BURST;
  }

  /**
   * Ends the {@link #BURST} tasks from {@code first} on: Marathon forgets them and reports each as TASK_FAILED, and
   * the subscriber deletes their records. Waits until it has.
   */
  static void retire(MarathonSimulation marathon, Subscriber subscriber, String env, int first) {
    StringBuilder stream = new StringBuilder();
    for (int i = 0; i < BURST; i++) {
      int n = first + i;
      String taskId = taskId(env, n % APPS, n);
      marathon.removeTask(taskId);
      stream.append(frame(failed(env, n % APPS, taskId, n)));
    }
    double written0 = written(subscriber);
    marathon.emitRaw(stream.toString());
    waitUntil(() -> written(subscriber) - written0 >= BURST, Duration.ofSeconds(120));
  }

  /**
   * Emits {@code rate} events/s for {@code seconds}, starting at task number {@code first}; returns the next number.
   * Prints the figures when {@code report}; a warm-up pass prints nothing.
   */
  static int paced(MarathonSimulation marathon, Subscriber subscriber, Arrivals arrivals, String env, int first, int rate,
      int seconds, boolean report) throws Exception {
    int paced = rate * seconds;
    Map<String, Long> sent = new ConcurrentHashMap<>();
    Map<String, Long> delivered = new ConcurrentHashMap<>();
    java.util.concurrent.ScheduledExecutorService probeScheduler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    mdo.marathon.events.MarathonEventStream probe = new mdo.marathon.events.MarathonEventStream(
        new MarathonClient(MarathonSettings.of(marathon.url())), Duration.ofSeconds(30),
        List.of("status_update_event"), new mdo.marathon.events.MarathonEventStream.Listener() {
          @Override public void onConnected(java.net.URI url) {}
          @Override public void onEvent(mdo.marathon.events.MarathonEvent e, long at) {
            if (e instanceof mdo.marathon.events.MarathonEvent.TaskStatus t) delivered.put(t.taskId(), at);
          }
          @Override public void onMalformed(String type, String reason) {}
          @Override public void onDisconnected(String reason) {}
        }, probeScheduler, new mdo.marathon.events.Backoff(Duration.ofMillis(50), Duration.ofSeconds(1)));
    probe.start();
    marathon.awaitStreams(2, Duration.ofSeconds(10));
    // built before the clock starts, so the paced loop costs the machine only the socket write of each frame
    String[] taskIds = new String[paced];
    String[] frames = new String[paced];
    for (int i = 0; i < paced; i++) {
      int n = first + i;
      int app = n % APPS;
      taskIds[i] = taskId(env, app, n);
      marathon.putTask(task(env, app, taskIds[i], n));
      frames[i] = frame(event(env, app, taskIds[i], n));
    }
    int seen0 = arrivals.count.get();
    long lagCount0 = subscriber.metrics.lag().count();
    double lagTotal0 = subscriber.metrics.lag().totalTime(TimeUnit.MILLISECONDS);
    System.gc();
    awaitJitQuiet();
    long revision0 = revision(subscriber.etcd());
    Cpu cpu0 = Cpu.now();
    long start = System.nanoTime();
    for (int i = 0; i < paced; i++) {
      long due = start + i * (1_000_000_000L / rate);
      for (long now = System.nanoTime(); now < due; now = System.nanoTime()) LockSupport.parkNanos(due - now);
      sent.put(taskIds[i], System.nanoTime());
      marathon.emitRaw(frames[i]);
    }
    arrivals.await(seen0 + paced, Duration.ofSeconds(60));
    Cpu used = Cpu.now().minus(cpu0);
    long txns = revision(subscriber.etcd()) - revision0;
    long[] lat = sent.entrySet().stream().mapToLong(e -> arrivals.at(e.getKey()) - e.getValue()).sorted().toArray();
    long[] transport = sent.entrySet().stream().filter(e -> delivered.containsKey(e.getKey()))
        .mapToLong(e -> delivered.get(e.getKey()) - e.getValue()).sorted().toArray();
    probe.close();
    probeScheduler.shutdownNow();
    if (!report) return first + paced;
    System.out.printf("latency at %,d events/s (%d events): p50 %.1f ms, p99 %.1f ms, max %.1f ms (event written to the"
        + " stream -> key visible to an etcd watch)%n", rate, paced, pct(lat, 50), pct(lat, 99), lat[lat.length - 1] / 1e6);
    System.out.printf("  inside the subscriber (event parsed -> etcd acknowledged): mean %.1f ms;"
        + " SSE delivery alone (to a second client): p50 %.1f ms, p99 %.1f ms%n",
        (subscriber.metrics.lag().totalTime(TimeUnit.MILLISECONDS) - lagTotal0)
            / (subscriber.metrics.lag().count() - lagCount0), pct(transport, 50), pct(transport, 99));
    System.out.printf("  %d etcd transactions (%.1f events each); machine busy %.0f%% of %d cores (this JVM with the probe"
        + " client and the watch %.0f%%, etcd %.0f%%, the rest other processes; %d GCs, %d ms; JIT %d ms); load average %.1f%n",
        txns, paced / (double) txns, 100 * used.machineBusy(),
        Runtime.getRuntime().availableProcessors(),
        100.0 * used.process / used.wall / Runtime.getRuntime().availableProcessors(),
        100.0 * used.etcd / used.wall / Runtime.getRuntime().availableProcessors(), used.gcs, used.gcMillis,
        used.jitMillis, loadAverage());
    return first + paced;
  }

  /**
   * Waits (at most 30 s) until the JIT has been idle for a second. On two busy cores C2 keeps compiling for many
   * seconds after a warm-up and takes most of a core meanwhile; a subscriber runs for months, so its figures are
   * measured on compiled code, not next to the compiler. JIT time inside each phase is still printed.
   */
  static void awaitJitQuiet() {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    awaitQuiet(() -> TimeUnit.MILLISECONDS.toNanos(jit.getTotalCompilationTime()), Duration.ofSeconds(1),
        Duration.ofMillis(20), Duration.ofSeconds(30));
  }

  /**
   * Waits until {@code used} (a running total of ns of work) grows by less than {@code most} in one {@code window},
   * or {@code limit} passes.
   */
  static void awaitQuiet(java.util.function.LongSupplier used, Duration window, Duration most, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      long before = used.getAsLong();
      LockSupport.parkNanos(window.toNanos());
      if (used.getAsLong() - before < most.toNanos()) return;
    }
  }

  static String frame(String eventJson) {
    return "event: status_update_event\r\ndata: " + eventJson + "\r\n\r\n";
  }

  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  /**
   * CPU time used so far (ns): this JVM, split by thread into the harness (bench main thread, the Marathon simulation's
   * MockWebServer threads) and the subscriber (every other Java thread: stream reader, writers, its etcd client; the
   * bench's own etcd client shares grpc's threads but only polls a count now and then); GC and JIT are the rest of the
   * process. etcd is the child process; {@code machine} is /proc/stat's busy time of all cores.
   */
  record Cpu(long wall, long process, long harness, long subscriber, long etcd, long machine, long gcs, long gcMillis,
      long jitMillis, long compilerThreads, long gcThreads) {
    static Cpu now() {
      long harness = 0;
      long subscriber = 0;
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t == null) continue;
        long ns = threads.getThreadCpuTime(t.getThreadId());
        if (ns < 0) continue;
        if (t.getThreadName().equals("main") || t.getThreadName().startsWith("MockWebServer")) harness += ns;
        else subscriber += ns;
      }
      long etcd = etcdNanos();
      long process = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
          .getOperatingSystemMXBean()).getProcessCpuTime();
      long gcs = 0;
      long gcMillis = 0;
      for (java.lang.management.GarbageCollectorMXBean gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
        gcs += gc.getCollectionCount();
        gcMillis += gc.getCollectionTime();
      }
      return new Cpu(System.nanoTime(), process, harness, subscriber, etcd, machineBusyNanos(), gcs, gcMillis,
          java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime(),
          nativeThreads("C1 CompilerThre", "C2 CompilerThre"), nativeThreads("GC Thread", "VM Thread"));
    }

    Cpu minus(Cpu o) {
      return new Cpu(wall - o.wall, process - o.process, harness - o.harness, subscriber - o.subscriber,
          etcd - o.etcd, machine - o.machine, gcs - o.gcs, gcMillis - o.gcMillis, jitMillis - o.jitMillis,
          compilerThreads - o.compilerThreads, gcThreads - o.gcThreads);
    }

    /** GC, JIT and other VM threads: the process's CPU that no live Java thread accounts for. */
    long jvm() {
      return Math.max(0, process - harness - subscriber);
    }

    /** CPU (ns) the etcd child process has used. */
    static long etcdNanos() {
      return ProcessHandle.current().children().filter(p -> p.info().command().orElse("").endsWith("etcd"))
          .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum();
    }

    /** CPU (ns) of this JVM's own threads whose names start with one of {@code names}, from /proc (Linux). */
    private static long nativeThreads(String... names) {
      long sum = 0;
      java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
      if (tasks == null) return 0;
      for (java.io.File task : tasks) {
        try {
          String comm = java.nio.file.Files.readString(task.toPath().resolve("comm")).trim();
          if (java.util.Arrays.stream(names).noneMatch(comm::startsWith)) continue;
          String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime + stime, USER_HZ = 100
        } catch (java.io.IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      }
      return sum;
    }

    double machineBusy() {
      return (double) machine / wall / Runtime.getRuntime().availableProcessors();
    }

    private static long machineBusyNanos() {
      try {
        String[] f = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length && i <= 8; i++) if (i != 4 && i != 5) busy += Long.parseLong(f[i]); // not idle, iowait
        return busy * 10_000_000L; // USER_HZ = 100
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** Events whose write etcd acknowledged, from the subscriber's own metrics. */
  static double written(Subscriber subscriber) {
    io.micrometer.core.instrument.Counter c = subscriber.metrics.registry.find("mdo_subscriber_events")
        .tags("type", "status_update_event", "outcome", "written").counter();
    return c == null ? 0 : c.count();
  }

  static long count(Client client, String prefix) {
    try {
      return client.getKVClient().get(Etcd.bytes(prefix), io.etcd.jetcd.options.GetOption.builder().isPrefix(true)
          .withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getCount();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static long revision(Client client) throws Exception {
    return client.getKVClient().get(Etcd.bytes("/")).get(10, TimeUnit.SECONDS).getHeader().getRevision();
  }

  static long[] singlePutLatency(KV kv, int n) throws Exception {
    byte[] value = Payloads.marathon("events/status_update_event.sse-task-running.json").getBytes();
    long[] lat = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      kv.put(Etcd.bytes("/bench/single/" + i), ByteSequence.from(value)).get(10, TimeUnit.SECONDS);
      lat[i] = System.nanoTime() - t0;
    }
    Arrays.sort(lat);
    return lat;
  }

  /**
   * Batched puts of {@code n} keys shaped like the registry's ({@code /mdo/<env>/services/<service>/<task id>}) holding
   * {@code value}, 100 per transaction, 8 in flight: what etcd and its client can do with the same data and nothing else.
   */
  static double rawPutThroughput(KV kv, int n, String env, byte[] value) throws Exception {
    return rawPutThroughput(kv, n, env, value, false);
  }

  /** With {@code createIfAbsent}, each put carries the compare the subscriber's creates carry (version == 0). */
  static double rawPutThroughput(KV kv, int n, String env, byte[] value, boolean createIfAbsent) throws Exception {
    Semaphore inFlight = new Semaphore(8);
    List<CompletableFuture<?>> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int from = 0; from < n; from += 100) {
      Op[] ops = new Op[Math.min(100, n - from)];
      Cmp[] cmps = new Cmp[ops.length];
      for (int i = 0; i < ops.length; i++) {
        int task = from + i;
        ByteSequence key = Etcd.bytes("/mdo/" + env + "/services/svc" + task % APPS + "/" + taskId(env, task % APPS, task));
        ops[i] = Op.put(key, ByteSequence.from(value), PutOption.DEFAULT);
        cmps[i] = new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0));
      }
      inFlight.acquire();
      io.etcd.jetcd.Txn txn = createIfAbsent ? kv.txn().If(cmps) : kv.txn();
      all.add(txn.Then(ops).commit().whenComplete((r, e) -> inFlight.release()));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Deletes a raw round's keys (environment {@code rawEnv}, unless null) and compacts etcd's history, as a production
   * etcd's auto-compaction would: every round starts from the same registry size and the same short history, instead
   * of measuring etcd slowing down under hundreds of thousands of revisions the bench itself left behind.
   */
  static void tidy(Client client, String rawEnv) throws Exception {
    if (rawEnv != null) {
      client.getKVClient().delete(Etcd.bytes("/mdo/" + rawEnv + "/"),
          io.etcd.jetcd.options.DeleteOption.builder().isPrefix(true).build()).get(60, TimeUnit.SECONDS);
    }
    client.getKVClient().compact(revision(client), io.etcd.jetcd.options.CompactOption.builder().withCompactPhysical(true)
        .build()).get(60, TimeUnit.SECONDS);
    awaitEtcdQuiet();
  }

  /** Waits (at most 5 s) until etcd has used under 5 % of a core for 200 ms: its compaction is not the next phase's. */
  static void awaitEtcdQuiet() {
    awaitQuiet(Cpu::etcdNanos, Duration.ofMillis(200), Duration.ofMillis(10), Duration.ofSeconds(5));
  }

  /** The value of one record the subscriber wrote: the raw puts write the same bytes. */
  static byte[] someRecord(Client client, String prefix) throws Exception {
    return client.getKVClient().get(Etcd.bytes(prefix), io.etcd.jetcd.options.GetOption.builder().isPrefix(true)
        .withLimit(1).build()).get(10, TimeUnit.SECONDS).getKvs().get(0).getValue().getBytes();
  }

  /** First-seen times of keys under a prefix, from an etcd watch. */
  static final class Arrivals implements AutoCloseable {
    private final Map<String, Long> seen = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();
    private volatile long last;
    private final Watch.Watcher watcher;

    Arrivals(Client client, String prefix) {
      watcher = client.getWatchClient().watch(Etcd.bytes(prefix), WatchOption.builder().isPrefix(true).build(), r -> {
        long now = System.nanoTime();
        for (WatchEvent e : r.getEvents()) {
          if (e.getEventType() != WatchEvent.EventType.PUT) continue;
          String key = e.getKeyValue().getKey().toString();
          String task = key.substring(key.lastIndexOf('/') + 1);
          if (seen.putIfAbsent(task, now) == null) {
            count.incrementAndGet();
            last = now;
          }
        }
      });
    }

    void await(int n, Duration timeout) {
      waitUntil(() -> count.get() >= n, timeout);
    }

    long at(String taskId) {
      return seen.get(taskId);
    }

    long last() {
      return last;
    }

    @Override
    public void close() {
      watcher.close();
    }
  }

  static void waitUntil(java.util.function.BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("timed out after " + timeout);
      LockSupport.parkNanos(5_000_000);
    }
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static List<String> percents(double[] ratios) {
    return Arrays.stream(ratios).mapToObj(r -> String.format("%.0f%%", 100 * r)).toList();
  }

  static double pct(long[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
  }

  private static final Map<String, ObjectNode> FIXTURES = new ConcurrentHashMap<>();

  /** A fresh copy of a recorded payload (read from the classpath once). */
  static ObjectNode fixture(String name) {
    return FIXTURES.computeIfAbsent(name, Payloads::marathonJson).deepCopy();
  }

  static ObjectNode app(String env, String service) {
    ObjectNode app = fixture("networking-1.4-vs-1.5/bridge-net-new.json");
    app.put("id", "/" + env + "/" + service).put("version", V1);
    app.putObject("labels").put("MDO_SERVICE", service).put("MDO_ENVIRONMENT", env);
    return app;
  }

  static String taskId(String env, int app, int n) {
    return env + "_svc" + app + ".instance-" + String.format("%08x-0000-1000-8000-%012x", n, n) + "._app.1";
  }

  static ObjectNode task(String env, int app, String taskId, int n) {
    ObjectNode t = (ObjectNode) fixture("tasks_get_response.json").path("tasks").get(0);
    t.put("id", taskId).put("appId", "/" + env + "/svc" + app).put("host", "10.0." + (n / 250 % 250) + "." + (n % 250))
        .put("version", V1).put("state", "TASK_RUNNING");
    t.putArray("ports").add(31000 + n % 1000);
    return t;
  }

  static String failed(String env, int app, String taskId, int n) {
    ObjectNode e = fixture("events/status_update_event.sse-task-failed.json");
    e.put("appId", "/" + env + "/svc" + app).put("taskId", taskId).put("host", "10.0." + (n / 250 % 250) + "." + (n % 250))
        .put("version", V1).put("timestamp", "2026-01-01T00:00:02.000Z");
    return e.toString();
  }

  static String event(String env, int app, String taskId, int n) {
    ObjectNode e = fixture("events/status_update_event.sse-task-running.json");
    e.put("appId", "/" + env + "/svc" + app).put("taskId", taskId).put("host", "10.0." + (n / 250 % 250) + "." + (n % 250))
        .put("version", V1).put("timestamp", "2026-01-01T00:00:01.000Z");
    ArrayNode ports = e.putArray("ports");
    ports.add(31000 + n % 1000);
    return e.toString();
  }

}
