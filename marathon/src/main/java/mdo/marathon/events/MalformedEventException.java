package mdo.marathon.events;

/** An event that cannot be used: not JSON, not an object, or missing a field its type requires. */
public class MalformedEventException extends RuntimeException {
  private final String type;

  public MalformedEventException(String type, String message) {
    super(message);
    this.type = type == null ? "unknown" : type;
  }

  /** The event type when it could be read, else {@code "unknown"}. */
  public String type() {
    return type;
  }
}
