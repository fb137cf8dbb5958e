package mdo.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.IntStream;
import mdo.registry.InstanceRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hundred instances of one service through the framework, as real processes on the dev cluster's agent: launched in
 * few offer cycles, one record each with ordinals 0..99 and a port of its own, then scaled down to ten. Prints how
 * long the launch and the scale-down took.
 */
class MesosScaleTest {
  static final int INSTANCES = 100;
  MesosStack stack;

  @BeforeEach
  void start() throws Exception {
    stack = new MesosStack();
    stack.services("""
          sleepers:
            cmd: exec sleep 600
            network: host
            ports:
              any: 0
            instances: %d
            cpus: 0.01
            mem: 8
        """.formatted(INSTANCES));
    stack.startFramework();
  }

  @AfterEach
  void stop() {
    stack.close();
  }

  @Test
  @Timeout(value = 5, unit = java.util.concurrent.TimeUnit.MINUTES) // 100 processes started and stopped on 2 cores
  void aHundredInstancesLaunchWithDistinctOrdinalsAndPortsAndScaleDownToTen() {
    long started = System.nanoTime();
    Stack.Result launched = stack.launcher("--config", stack.config.toString(), "--timeout", "3m", "sleepers");
    double launchSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(launched.code()).as(launched.toString()).isZero();
    assertThat(launched.out()).contains("sleepers: deployment finished, 100/100 running");

    Map<String, InstanceRecord> records = stack.registry("sleepers");
    assertThat(records).hasSize(INSTANCES);
    assertThat(records.values()).extracting(InstanceRecord::ordinal)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, INSTANCES).boxed().toList());
    assertThat(records.values()).extracting(r -> r.ports().get("any").host()).doesNotHaveDuplicates();
    assertThat(stack.runningTaskIds("sleepers")).isEqualTo(records.keySet());

    started = System.nanoTime();
    Stack.Result down = stack.updater("--config", stack.config.toString(), "--timeout", "3m", "sleepers", "10");
    double downSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(down.code()).as(down.toString()).isZero();
    Map<String, InstanceRecord> left = stack.registry("sleepers");
    assertThat(left).hasSize(10);
    assertThat(stack.runningTaskIds("sleepers")).isEqualTo(left.keySet());
    assertThat(records.keySet()).containsAll(left.keySet());
    System.out.printf("mesos scale: %d instances launched and registered in %.1f s (%.0f tasks/s), scaled down to 10"
        + " in %.1f s%n", INSTANCES, launchSeconds, INSTANCES / launchSeconds, downSeconds);
  }
}
