package mdo.subscriber;

/** Asks for a full resync; what the HTTP API, signals, probes and the event stream see of {@link ResyncScheduler}. */
interface ResyncTrigger {
  /**
   * Asks for a resync as soon as the schedule allows: at once, or, while resyncs are failing, with the retry already
   * scheduled. {@code force} deletes the records of apps missing from the listing without confirming each is gone.
   */
  void request(String reason, boolean force);
}
