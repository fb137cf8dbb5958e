package mdo.command;

import java.util.logging.Level;
import java.util.logging.LogManager;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Routes java.util.logging, which gRPC and Netty (under jetcd) log through, into SLF4J, so their lines get the
 * process's format and levels instead of going to stderr on their own. Long-running commands that use jetcd call it
 * first (the subscriber, {@code guestutils watch}); their SLF4J settings keep those libraries at WARN: their INFO lines
 * (e.g. "Received data on closed stream", 1,560 times a minute while etcd reads failed) are not state changes.
 */
public final class JulLogging {
  private JulLogging() {}

  public static void routeToSlf4j() {
    LogManager.getLogManager().reset(); // drops the console handler that printed them raw
    SLF4JBridgeHandler.install();
    // JUL decides before the bridge whether a record is made at all: below INFO it never is, which keeps FINE logging
    // of gRPC's hot paths free
    java.util.logging.Logger.getLogger("").setLevel(Level.INFO);
  }
}
