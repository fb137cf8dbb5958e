package mdo.mesos;

import org.apache.mesos.v1.scheduler.Protos.Call;

/**
 * The master refused a call with a 4xx (API.md A1): 400 with its validation text (a stale or missing
 * {@code Mesos-Stream-Id}, "Not a valid UUID", ...), 401 without valid credentials, 403 "Framework is not subscribed",
 * 415 for a wrong content type. Retrying the same call will not help.
 */
public final class MesosCallRejectedException extends MesosException {
  private final Call.Type callType;
  private final int status;
  private final String masterMessage;

  public MesosCallRejectedException(Call.Type callType, String master, int status, String masterMessage) {
    super("Mesos master " + master + " rejected " + callType + " (HTTP " + status + "): " + masterMessage, null);
    this.callType = callType;
    this.status = status;
    this.masterMessage = masterMessage;
  }

  public Call.Type callType() {
    return callType;
  }

  public int status() {
    return status;
  }

  /** The master's own text (its error bodies are plain text), or a description when it sent none. */
  public String masterMessage() {
    return masterMessage;
  }

  @Override
  public Kind kind() {
    return Kind.REFUSED;
  }
}
