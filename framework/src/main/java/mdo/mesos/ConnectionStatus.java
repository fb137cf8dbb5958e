package mdo.mesos;

/**
 * A snapshot of a {@link SchedulerConnection} for {@code /health} and {@code /metrics}.
 *
 * @param master the scheduler endpoint of the open subscription, else the one being tried
 * @param frameworkId null until the master assigned or accepted one
 * @param subscriptions SUBSCRIBED events received since start (re-subscriptions included)
 * @param listenerBacklog events received but not yet handed to the listener
 * @param listenerFailures callbacks that threw
 * @param lastError why the last attempt or stream failed, null if none has
 */
public record ConnectionStatus(
    State state,
    String master,
    String frameworkId,
    long subscriptions,
    long eventsReceived,
    int listenerBacklog,
    long listenerFailures,
    String lastError) {

  public enum State {
    /** Constructed, {@code start()} not called. */
    NEW,
    /** Subscribing, or waiting to retry. */
    CONNECTING,
    SUBSCRIBED,
    /** Refused by the master; will not retry. */
    FAILED,
    CLOSED
  }

  public boolean healthy() {
    return state == State.SUBSCRIBED;
  }
}
