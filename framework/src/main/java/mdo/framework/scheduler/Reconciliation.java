package mdo.framework.scheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * When to reconcile (Mesos' reconciliation.md, API.md A8): after each SUBSCRIBED, explicitly for every known task until
 * each has been answered, asking again with a growing wait (the master does not answer for tasks on agents that are
 * still re-registering); then implicitly every {@code interval}, plus explicitly for the unreachable tasks, which
 * implicit reconciliation does not cover. Not thread-safe: the scheduler's thread only.
 */
final class Reconciliation {
  private final Duration retryFirst;
  private final Duration retryMax;
  private final Duration interval;
  private final Set<String> unanswered = new LinkedHashSet<>();
  private Duration retry;
  private Instant nextExplicit;
  private Instant nextImplicit;

  Reconciliation(Duration retryFirst, Duration retryMax, Duration interval) {
    this.retryFirst = retryFirst;
    this.retryMax = retryMax;
    this.interval = interval;
  }

  /** A subscription started: every known task is to be confirmed again. */
  void subscribed(Collection<String> taskIds, Instant now) {
    unanswered.clear();
    unanswered.addAll(taskIds);
    retry = retryFirst;
    nextExplicit = now;
    nextImplicit = now.plus(interval);
  }

  /** An update arrived for the task: it is answered. */
  void answered(String taskId) {
    unanswered.remove(taskId);
  }

  /** The task is gone from the book: nothing to ask about. */
  void forget(String taskId) {
    unanswered.remove(taskId);
  }

  /** Tasks to ask about explicitly now; empty when none is due. Asking pushes the next try back. */
  Set<String> explicitDue(Instant now) {
    if (unanswered.isEmpty() || nextExplicit == null || now.isBefore(nextExplicit)) return Set.of();
    nextExplicit = now.plus(retry);
    retry = retry.multipliedBy(2).compareTo(retryMax) > 0 ? retryMax : retry.multipliedBy(2);
    return Set.copyOf(unanswered);
  }

  /** True when the periodic implicit reconciliation is due (never while explicit answers are missing). */
  boolean implicitDue(Instant now) {
    if (!unanswered.isEmpty() || nextImplicit == null || now.isBefore(nextImplicit)) return false;
    nextImplicit = now.plus(interval);
    return true;
  }

  int unanswered() {
    return unanswered.size();
  }

  boolean done() {
    return nextExplicit != null && unanswered.isEmpty();
  }
}
