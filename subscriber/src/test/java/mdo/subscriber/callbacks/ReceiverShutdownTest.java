package mdo.subscriber.callbacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import mdo.command.DaemonThreads;
import mdo.registry.InstanceRecord;
import mdo.registry.PortMapping;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, failure 5: {@code close()} against a delivery completing at the same moment. The thread completing a
 * delivery holds the Failsafe future's monitor while it runs the receiver's completion handler; {@code close()} cancels
 * that future. If {@code close()} held the receiver's monitor while cancelling, the two would wait for each other
 * forever. The test forces exactly that interleaving with latches and thread states, no sleeps.
 */
class ReceiverShutdownTest {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final ScheduledExecutorService scheduler =
      Executors.newScheduledThreadPool(2, DaemonThreads.factory("test-callbacks"));
  private final OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(30)).build();
  private final List<Socket> accepted = new ArrayList<>();
  private ServerSocket silent;

  @BeforeEach
  void listen() throws IOException {
    silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = DaemonThreads.create("test-silent-receiver", () -> {
      try {
        while (!silent.isClosed()) accepted.add(silent.accept()); // accept and never answer: the request stays in flight
      } catch (IOException e) {
        // closed at the end of the test
      }
    });
    acceptor.start();
  }

  @AfterEach
  void close() throws IOException {
    silent.close();
    for (Socket s : accepted) s.close();
    scheduler.shutdownNow();
    http.dispatcher().executorService().shutdownNow();
  }

  @Test
  void closeWhileTheDeliveryIsCompletingOnAnotherThreadReturns() throws Exception {
    CallbackSettings settings = CallbackSettings.defaults().withAllowLoopback(true)
        .withDelivery(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(200), 3);
    CallbackRegistration registration = new CallbackRegistration("r1", "cassandra",
        "http://127.0.0.1:" + silent.getLocalPort() + "/hook", "web.1", "web", "secret", "2026-01-01T00:00:00Z", null,
        null);
    Receiver receiver = new Receiver(registration, http, scheduler, settings,
        new CallbackMetrics(new SimpleMeterRegistry(), () -> 1), delivered -> {}, () -> {});
    receiver.offer(List.of(member()), 7);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.delivery() != null);
    CompletableFuture<Integer> delivery = receiver.delivery();

    // The completing side, as OkHttp's thread is inside Failsafe: holding the future's monitor, then completing it
    // (which runs the receiver's completion handler on this thread).
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch complete = new CountDownLatch(1);
    Thread completer = DaemonThreads.create("test-completer", () -> {
      synchronized (delivery) {
        holding.countDown();
        try {
          complete.await();
        } catch (InterruptedException e) {
          return;
        }
        delivery.complete(200);
      }
    });
    completer.start();
    holding.await();

    Thread closer = DaemonThreads.create("test-closer", receiver::close);
    closer.start();
    // close() has reached the future and waits for its monitor: the moment the deadlock needs
    await().atMost(Duration.ofSeconds(10)).until(() -> blockedOn(closer, delivery));
    complete.countDown();

    await().atMost(Duration.ofSeconds(10))
        .failFast("close() and the completing delivery deadlocked", () -> deadlocked(closer, completer))
        .until(() -> !closer.isAlive() && !completer.isAlive());
    assertThat(receiver.delivery()).as("nothing in flight after close").isNull();
  }

  private static boolean blockedOn(Thread t, Object monitor) {
    ThreadInfo info = THREADS.getThreadInfo(t.getId());
    return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
        && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(monitor);
  }

  private static boolean deadlocked(Thread... threads) {
    long[] ids = THREADS.findMonitorDeadlockedThreads();
    if (ids == null) return false;
    return Arrays.stream(threads).anyMatch(t -> Arrays.stream(ids).anyMatch(id -> id == t.getId()));
  }

  private static InstanceRecord member() {
    return new InstanceRecord("cassandra", "cassandra.a", null, 0, "10.0.1.1",
        Map.of("storage", new PortMapping(7000, 7000, "tcp")), Map.of(), "TASK_RUNNING", null, false, "/cassandra",
        "v1", "agent", "2026-11-21T10:00:00Z", "2026-11-21T10:00:00Z");
  }
}
