package mdo.mesos;

import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * What the scheduler logic hears from a {@link SchedulerConnection}. Every callback runs on one thread, in stream
 * order, across reconnects: a SUBSCRIBED event starts each subscription, {@link #onDisconnected} ends it. Calls may be
 * made from the callbacks. An exception thrown here is logged and the next event still arrives.
 */
public interface SchedulerListener {
  /**
   * Every event of the stream (SUBSCRIBED, OFFERS, RESCIND, UPDATE, MESSAGE, FAILURE, ERROR, HEARTBEAT, ...) except
   * types this Mesos version does not know. After each SUBSCRIBED: offers held before are void (the master dropped
   * them without RESCIND), and pending status updates are re-sent, so reconcile (API.md A5, A10).
   */
  void onEvent(Event event);

  /** The stream ended or broke; calls fail with {@link NotSubscribedException} until the next SUBSCRIBED. */
  default void onDisconnected(String reason) {}

  /** The connection stopped for good, e.g. the framework was refused or failed over to another scheduler. */
  default void onFailed(SubscriptionRefusedException cause) {}
}
