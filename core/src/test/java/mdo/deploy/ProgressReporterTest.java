package mdo.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import mdo.cluster.DeploymentListener.Progress;
import mdo.command.Terminal;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
  ByteArrayOutputStream out = new ByteArrayOutputStream();

  ProgressReporter reporter(boolean tty) {
    PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
    return new ProgressReporter(new Terminal(stream, stream, tty, Map.of()), "kafka", "Marathon");
  }

  @Test
  void withoutATerminalEachChangeIsOnePlainLine() {
    try (ProgressReporter r = reporter(false)) {
      r.progress(new Progress("/default/kafka", 0, 0, 3, 3, true, true));
      r.progress(new Progress("/default/kafka", 0, 0, 3, 3, true, true));
      r.progress(new Progress("/default/kafka", 3, 1, 0, 3, true, true));
      r.progress(new Progress("/default/kafka", 3, 3, 0, 3, true, false));
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
        kafka: 0/3 running, 0/3 healthy, 3 staging
        kafka: 3/3 running, 1/3 healthy
        kafka: 3/3 running, 3/3 healthy (deployment done)
        """);
  }

  @Test
  void onATerminalAProgressBarShowsHealthyOfWanted() {
    try (ProgressReporter r = reporter(true)) {
      r.progress(new Progress("/default/kafka", 3, 2, 0, 3, true, true));
    }
    String shown = out.toString(StandardCharsets.UTF_8);
    assertThat(shown).contains("kafka").contains("2/3").contains("3/3 running, 2/3 healthy").contains("\r");
  }
}
