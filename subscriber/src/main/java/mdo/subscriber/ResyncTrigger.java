package mdo.subscriber;

/** Asks for a full resync; what the HTTP API, signals, probes and the event stream see of {@link ResyncScheduler}. */
interface ResyncTrigger {
  /** Queues a resync; {@code force} lifts the mass-deletion limit once. */
  void request(String reason, boolean force);

  /** True while a resync is queued and has not started. */
  boolean pending();
}
