package mdo.subscriber;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.LogManager;
import mdo.command.JulLogging;
import org.junit.jupiter.api.Test;

/** What bin/subscriber does with gRPC's and Netty's java.util.logging, with the subscriber's logging settings. */
class JulLoggingTest {
  @Test
  void grpcAndNettyJulLoggingGoesThroughSlf4jAndOnlyItsWarningsShow() throws Exception {
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      JulLogging.routeToSlf4j();
      java.util.logging.Logger grpc = java.util.logging.Logger.getLogger("io.grpc.netty.NettyClientHandler");
      for (int i = 0; i < 100; i++) grpc.info("Received data on closed stream");
      java.util.logging.Logger.getLogger("io.netty.util.ResourceLeakDetector").fine("fine detail");
      grpc.warning("a warning worth a line");
    } finally {
      System.setErr(stderr);
      LogManager.getLogManager().readConfiguration(); // back to the JVM's default for the other tests
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).doesNotContain("Received data on closed stream").doesNotContain("fine detail");
    // one line, in the subscriber's format (SLF4J's, with its level and logger name), not JUL's two-line console one
    assertThat(out.lines().filter(l -> l.contains("a warning worth a line")))
        .singleElement().asString().contains("WARN io.grpc.netty.NettyClientHandler");
  }
}
