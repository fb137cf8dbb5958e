package mdo.subscriber.callbacks;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.time.Instant;
import mdo.guestutils.CallbackSignature;
import mdo.guestutils.MembershipChange;
import mdo.registry.InstanceRecord;
import mdo.registry.RegistryJson;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to one registration. At most one request is in flight per receiver and every request is
 * asynchronous, so a slow or dead receiver only ever delays itself. Level-triggered: each attempt sends the newest
 * members, with added/removed relative to what this receiver last acknowledged.
 */
final class Receiver {
  private static final Logger log = LoggerFactory.getLogger(Receiver.class);
  private static final MediaType JSON = MediaType.get("application/json");

  private record Target(List<InstanceRecord> members, long revision) {}

  private final OkHttpClient http;
  private final ScheduledExecutorService scheduler;
  private final CallbackSettings settings;
  private final CallbackMetrics metrics;
  private final Consumer<CallbackRegistration> onDelivered;
  private final Runnable onGone;
  private CallbackRegistration registration;
  private Target wanted;
  private boolean inFlight;
  private CompletableFuture<Integer> current;
  private boolean closed;
  private String lastError;

  Receiver(CallbackRegistration registration, OkHttpClient http, ScheduledExecutorService scheduler,
      CallbackSettings settings, CallbackMetrics metrics, Consumer<CallbackRegistration> onDelivered, Runnable onGone) {
    this.registration = registration;
    this.http = http;
    this.scheduler = scheduler;
    this.settings = settings;
    this.metrics = metrics;
    this.onDelivered = onDelivered;
    this.onGone = onGone;
  }

  synchronized CallbackRegistration registration() {
    return registration;
  }

  synchronized String lastError() {
    return lastError;
  }

  /** The delivery in flight (its retries included), or null. */
  synchronized CompletableFuture<Integer> delivery() {
    return current;
  }

  /** The service's members now; sends unless the receiver already has exactly these. */
  void offer(List<InstanceRecord> members, long revision) {
    synchronized (this) {
      if (closed) return;
      wanted = new Target(members, revision);
      boolean known = registration.deliveredRevision() != null
          && MembershipChange.sameMembers(registration.deliveredMembers(), members);
      if (inFlight || known) return;
      inFlight = true;
    }
    send();
  }

  /**
   * Starts a delivery of the newest target; the caller has set {@code inFlight}. Never called with this receiver's
   * monitor held, and no method here cancels or completes the delivery's future while holding it: that future has a
   * monitor of its own, held by the thread completing it while it runs {@link #finished}, so taking the two in opposite
   * orders deadlocked {@link #close} against a delivery completing at the same moment (issue 10).
   */
  private void send() {
    RetryPolicy<Integer> policy = RetryPolicy.<Integer>builder()
        .handle(IOException.class)
        .handleResultIf(code -> (code < 200 || code >= 300) && code != 410)
        .withBackoff(settings.initialBackoff(), settings.maxBackoff())
        .withJitter(0.2)
        .withMaxAttempts(settings.maxAttempts())
        .onRetry(e -> {
          metrics.delivery("retried");
          log.warn("retrying: callback {}/{} attempt {} failed: {}", registration.service(), registration.id(),
              e.getAttemptCount(), describe(e.getLastResult(), e.getLastException()));
        })
        .build();
    CompletableFuture<Integer> future = Failsafe.with(policy).with(scheduler).getStageAsync(this::attempt);
    boolean closedMeanwhile;
    synchronized (this) {
      current = future;
      closedMeanwhile = closed;
    }
    if (closedMeanwhile) future.cancel(true);
    future.whenComplete((code, error) -> finished(future, code, error)); // after current is set: finished compares
  }

  /** One POST of the newest target; completes with the status code. */
  private CompletableFuture<Integer> attempt() {
    Target target;
    byte[] body;
    Request request;
    synchronized (this) {
      target = wanted;
      MembershipChange change = MembershipChange.between(
          registration.service(), registration.deliveredMembers(), target.members(), target.revision());
      body = RegistryJson.write(change);
      request = new Request.Builder().url(registration.url())
          .header("User-Agent", "mdo-subscriber")
          .header(CallbackSignature.HEADER, CallbackSignature.sign(registration.secret(), Instant.now(), body))
          .header("X-Mdo-Registration", registration.id())
          .header("X-Mdo-Delivery", UUID.randomUUID().toString())
          .header("X-Mdo-Revision", String.valueOf(target.revision()))
          .post(RequestBody.create(body, JSON))
          .build();
    }
    CompletableFuture<Integer> result = new CompletableFuture<>();
    long start = System.nanoTime();
    Call call = http.newCall(request);
    call.enqueue(new Callback() {
      @Override
      public void onFailure(Call c, IOException e) {
        metrics.attempt(Duration.ofNanos(System.nanoTime() - start));
        result.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call c, Response response) {
        metrics.attempt(Duration.ofNanos(System.nanoTime() - start));
        int code = response.code();
        response.close();
        if (code >= 200 && code < 300) acknowledged(target);
        result.complete(code);
      }
    });
    result.whenComplete((code, error) -> {
      if (result.isCancelled()) call.cancel();
    });
    return result;
  }

  private synchronized void acknowledged(Target target) {
    registration = registration.delivered(target.revision(), target.members());
    lastError = null;
  }

  /** Runs on the thread that completed the delivery, inside the future's monitor (see {@link #send}). */
  private void finished(CompletableFuture<Integer> future, Integer code, Throwable error) {
    CallbackRegistration delivered = null;
    boolean gone = false;
    boolean again = false;
    synchronized (this) {
      if (future != current) return;
      inFlight = false;
      current = null;
      if (closed) return;
      if (error == null && code == 410) {
        gone = true;
      } else if (error == null && code >= 200 && code < 300) {
        metrics.delivery("delivered");
        log.info("delivered: callback {}/{} revision {}", registration.service(), registration.id(),
            registration.deliveredRevision());
        delivered = registration;
        again = !MembershipChange.sameMembers(registration.deliveredMembers(), wanted.members());
        inFlight = again;
      } else {
        metrics.delivery("failed");
        lastError = describe(code, error);
        log.warn("failed: callback {}/{} after {} attempts: {}; will retry on the next change", registration.service(),
            registration.id(), settings.maxAttempts(), lastError);
      }
    }
    if (delivered != null) onDelivered.accept(delivered);
    if (again) send();
    if (gone) {
      log.info("unregistered: callback {}/{} answered 410 Gone", registration.service(), registration.id());
      onGone.run();
    }
  }

  private static String describe(Integer code, Throwable error) {
    if (error != null) {
      Throwable cause = error.getCause() != null && !(error instanceof IOException) ? error.getCause() : error;
      return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
    return "HTTP " + code;
  }

  /** Stops delivering; the delivery in flight is cancelled outside this receiver's monitor (see {@link #send}). */
  void close() {
    CompletableFuture<Integer> inFlightNow;
    synchronized (this) {
      closed = true;
      inFlightNow = current;
    }
    if (inFlightNow != null) inFlightNow.cancel(true);
  }
}
