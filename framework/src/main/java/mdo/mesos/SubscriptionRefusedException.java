package mdo.mesos;

/**
 * The master will not have this framework, so the connection stops instead of retrying: an ERROR event on the stream
 * (a bad role, a removed framework id, "Framework failed over" because another scheduler took over) or a 4xx answer
 * to SUBSCRIBE (a malformed call, bad credentials).
 */
public final class SubscriptionRefusedException extends MesosException {
  /** The ERROR text the master sends on the old stream when another scheduler subscribes with our id (API.md A11). */
  public static final String FAILED_OVER = "Framework failed over";

  private final int status;

  /** @param status the HTTP status of a refused SUBSCRIBE, or 200 for an ERROR event on an open stream */
  public SubscriptionRefusedException(String message, int status) {
    super(message, null);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** Another scheduler subscribed with our framework id: this one must not re-subscribe (it would steal it back). */
  public boolean failedOver() {
    return getMessage().contains(FAILED_OVER);
  }

  @Override
  public Kind kind() {
    return Kind.REFUSED;
  }
}
