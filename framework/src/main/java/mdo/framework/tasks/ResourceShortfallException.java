package mdo.framework.tasks;

/**
 * The offers of an agent cannot hold a task; the message is the pending reason a user reads ("port 9042 is not free
 * on agent-3"). Nothing was taken from the offers.
 */
public final class ResourceShortfallException extends Exception {
  public ResourceShortfallException(String reason) {
    super(reason);
  }
}
