package mdo.subscriber;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SIGHUP → resync, where the JVM offers {@code sun.misc.Signal} (HotSpot on Unix); elsewhere it is skipped. */
final class Signals {
  private static final Logger log = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  static void onHangup(Runnable action) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> action.run());
    } catch (LinkageError | IllegalArgumentException | UnsupportedOperationException e) {
      log.info("skipped: SIGHUP handler not available on this JVM ({})", e.getMessage());
    }
  }
}
