package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The leftover-process check the other tests end with sees what it is meant to see. */
class HygieneCheckTest {
  @TempDir Path dir;

  @Test
  void aProcessWithASandboxUnderTheStateDirIsFoundUntilItEnds() throws Exception {
    Path sandbox = Files.createDirectories(dir.resolve("tasks/peers.1"));
    ProcessBuilder builder = new ProcessBuilder("sleep", "30");
    builder.environment().put("MESOS_SANDBOX", sandbox.toString());
    Process process = builder.start();
    try {
      assertThat(Stack.tasksUnder(dir)).contains(process.pid());
      assertThat(Stack.descendants()).anyMatch(line -> line.startsWith(process.pid() + " "));
      assertThat(Stack.tasksUnder(dir.resolveSibling("elsewhere"))).doesNotContain(process.pid());
    } finally {
      process.destroyForcibly();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Stack.tasksUnder(dir)).isEmpty();
    assertThat(Stack.descendants()).noneMatch(line -> line.startsWith(process.pid() + " "));
  }
}
