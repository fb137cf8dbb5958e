package mdo.mesos;

import org.apache.mesos.v1.scheduler.Protos.Call;

/** A call was made while no subscription is open (before SUBSCRIBED, while reconnecting, or after close): not sent. */
public final class NotSubscribedException extends MesosException {
  public NotSubscribedException(Call.Type callType, String state) {
    super("cannot send " + callType + ": not subscribed to a Mesos master (" + state + ")", null);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
