package mdo.devcluster.mesos.master;

import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import mdo.devcluster.mesos.wire.RecordIoWriter;
import mdo.devcluster.mesos.wire.StoutJson;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * One SUBSCRIBE connection: the events the master sends on it, encoded in the format the client accepted, queued
 * until the HTTP thread that holds the connection writes them in RecordIO framing. Like the master's pipe, the queue is
 * unbounded; a client that stops reading is found out when a write fails.
 */
final class Subscription {
  private static final byte[] END = new byte[0];
  final String streamId = UUID.randomUUID().toString();
  final boolean json;
  private final LinkedBlockingQueue<byte[]> records = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  Subscription(boolean json) {
    this.json = json;
  }

  void send(Event event) {
    if (closed) return;
    records.add(json ? StoutJson.print(event) : event.toByteArray());
  }

  /** Ends the stream after what is queued: the master closed the connection (ERROR, failover, teardown). */
  void close() {
    if (closed) return;
    closed = true;
    records.add(END);
  }

  boolean closed() {
    return closed;
  }

  /**
   * Writes records until the master closes the stream (returns normally) or the client goes away (throws). Runs on
   * the HTTP thread that answered the SUBSCRIBE.
   */
  void pump(OutputStream out) throws IOException, InterruptedException {
    RecordIoWriter writer = new RecordIoWriter(out);
    out.flush();
    while (true) {
      byte[] record = records.take();
      if (record == END) return;
      writer.write(record);
    }
  }
}
