package mdo.devcluster.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import mdo.devcluster.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marathon's event bus: every event is serialized once and handed to the SSE streams and the callback subscribers,
 * which carry the identical JSON. Listeners must not block: each one queues or sends asynchronously.
 */
public final class EventBus {
  private static final Logger log = LoggerFactory.getLogger(EventBus.class);

  /** One serialized event: its {@code eventType} and its one-line JSON. */
  public record Event(String type, String json) {}

  /** Receives every published event; must return quickly. */
  public interface Listener {
    void onEvent(Event event);
  }

  private final List<Listener> listeners = new CopyOnWriteArrayList<>();

  public void publish(ObjectNode event) {
    Event serialized = new Event(event.get("eventType").asText(), Json.write(event));
    log.debug("published: {}", serialized.json());
    for (Listener listener : listeners) {
      try {
        listener.onEvent(serialized);
      } catch (RuntimeException e) {
        log.warn("dropped event for a failing listener: {}", e.toString());
      }
    }
  }

  public void subscribe(Listener listener) {
    listeners.add(listener);
  }

  public void unsubscribe(Listener listener) {
    listeners.remove(listener);
  }

  public List<Listener> listeners() {
    return List.copyOf(listeners);
  }
}
