package mdo.devcluster.events;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code /v2/events} connection. Frames exactly as Jetty's {@code EventSourceServlet} does for Marathon:
 * {@code event: <type>\r\ndata: <json>\r\n\r\n}, and a bare {@code \r\n} as the heartbeat. Like Marathon 1.8+, a
 * client that falls {@value #MAX_OUTSTANDING} events behind is disconnected rather than silently skipped.
 */
public final class EventStreamClient implements EventBus.Listener {
  /** Marathon's {@code --event_stream_max_outstanding_messages} default since 1.5. */
  public static final int MAX_OUTSTANDING = 1024;
  private static final byte[] HEARTBEAT = "\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String CLOSE = new String("close");

  private final String remoteAddress;
  private final Set<String> eventTypes;
  private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(MAX_OUTSTANDING + 1);
  private volatile boolean closed;

  /** @param eventTypes the {@code event_type} filter; empty means every event */
  public EventStreamClient(String remoteAddress, Set<String> eventTypes) {
    this.remoteAddress = remoteAddress;
    this.eventTypes = Set.copyOf(eventTypes);
  }

  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public void onEvent(EventBus.Event event) {
    if (closed || (!eventTypes.isEmpty() && !eventTypes.contains(event.type()))) return;
    String frame = "event: " + event.type() + "\r\ndata: " + event.json() + "\r\n\r\n";
    if (!queue.offer(frame)) close();
  }

  /** Ends {@link #pump} soon, from any thread. */
  public void close() {
    closed = true;
    queue.clear();
    queue.offer(CLOSE);
  }

  /**
   * Writes queued events until the client goes away (the write fails) or {@link #close} is called. Blocks the calling
   * (request) thread for the life of the stream.
   */
  @SuppressWarnings("StringEquality")
  public void pump(OutputStream out, Duration heartbeat) throws IOException, InterruptedException {
    while (!closed) {
      String frame = queue.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == CLOSE || closed) return;
      out.write(frame == null ? HEARTBEAT : frame.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }
  }
}
