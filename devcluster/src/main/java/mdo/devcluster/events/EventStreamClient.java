package mdo.devcluster.events;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import mdo.devcluster.MarathonVersion;

/**
 * One {@code /v2/events} connection. Frames exactly as Jetty's {@code EventSourceServlet} does for Marathon:
 * {@code event: <type>\r\ndata: <json>\r\n\r\n}, and a bare {@code \r\n} as the heartbeat. A client that falls
 * behind by {@code --event_stream_max_outstanding_messages} events is disconnected (1.8+) or misses events (up to 1.7,
 * {@code HttpEventStreamHandleActor}).
 */
public final class EventStreamClient implements EventBus.Listener {
  private static final byte[] HEARTBEAT = "\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final String CLOSE = new String("close");

  /**
   * What happens to a slow client.
   *
   * @param maxOutstanding events buffered for it: 50 in 1.4, 1024 from 1.5 ({@code EventConf.scala})
   * @param disconnect close the stream when the buffer is full (1.8+), else drop the event
   */
  public record Backpressure(int maxOutstanding, boolean disconnect) {
    public static Backpressure of(MarathonVersion version) {
      return new Backpressure(version.atLeast(5) ? 1024 : 50, version.atLeast(8));
    }
  }

  private final String remoteAddress;
  private final Set<String> eventTypes;
  private final Backpressure backpressure;
  private final BlockingQueue<String> queue;
  private volatile boolean closed;

  /** @param eventTypes the {@code event_type} filter; empty means every event */
  public EventStreamClient(String remoteAddress, Set<String> eventTypes, Backpressure backpressure) {
    this.remoteAddress = remoteAddress;
    this.eventTypes = Set.copyOf(eventTypes);
    this.backpressure = backpressure;
    this.queue = new ArrayBlockingQueue<>(backpressure.maxOutstanding() + 1);
  }

  public String remoteAddress() {
    return remoteAddress;
  }

  @Override
  public void onEvent(EventBus.Event event) {
    if (closed || (!eventTypes.isEmpty() && !eventTypes.contains(event.type()))) return;
    String frame = "event: " + event.type() + "\r\ndata: " + event.json() + "\r\n\r\n";
    if (queue.size() >= backpressure.maxOutstanding() || !queue.offer(frame)) {
      if (backpressure.disconnect()) close();
    }
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
