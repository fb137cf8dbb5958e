package mdo.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mesos.v1.scheduler.Protos.Event;

/**
 * Records what a {@link SchedulerListener} hears, in order: events (heartbeats only counted), disconnects and the
 * final refusal. {@code next*} fail after 10 s; {@link #assertExhausted} checks nothing unexpected arrived.
 */
final class ListenerRecorder implements SchedulerListener {
  private final BlockingDeque<Object> items = new LinkedBlockingDeque<>();
  private final AtomicInteger heartbeats = new AtomicInteger();
  final List<String> threads = new CopyOnWriteArrayList<>();

  @Override
  public void onEvent(Event event) {
    threads.add(Thread.currentThread().getName());
    if (event.getType() == Event.Type.HEARTBEAT) {
      heartbeats.incrementAndGet();
    } else {
      items.add(event);
    }
  }

  @Override
  public void onDisconnected(String reason) {
    items.add("disconnected: " + reason);
  }

  @Override
  public void onFailed(SubscriptionRefusedException cause) {
    items.add(cause);
  }

  Event nextEvent() throws InterruptedException {
    Object item = take();
    assertThat(item).as("next callback").isInstanceOf(Event.class);
    return (Event) item;
  }

  Event nextEvent(Event.Type type) throws InterruptedException {
    Event event = nextEvent();
    assertThat(event.getType()).isEqualTo(type);
    return event;
  }

  String nextDisconnect() throws InterruptedException {
    Object item = take();
    assertThat(item).as("next callback").isInstanceOf(String.class);
    return (String) item;
  }

  SubscriptionRefusedException nextFailure() throws InterruptedException {
    Object item = take();
    assertThat(item).as("next callback").isInstanceOf(SubscriptionRefusedException.class);
    return (SubscriptionRefusedException) item;
  }

  int heartbeats() {
    return heartbeats.get();
  }

  void assertExhausted() {
    assertThat(items).as("callbacks nobody expected").isEmpty();
  }

  private Object take() throws InterruptedException {
    Object item = items.poll(10, TimeUnit.SECONDS);
    if (item == null) throw new AssertionError("no listener callback within 10 s");
    return item;
  }
}
