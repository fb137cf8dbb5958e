package mdo.subscriber;

/**
 * A burst of Marathon activity on the harness's app, as the stream shows it: tasks start ({@code TASK_RUNNING}) and
 * every fifth step one started three steps earlier is killed ({@code TASK_KILLED}), Marathon's state changing with
 * each event. A fault can be injected at any step.
 */
final class Burst {
  private Burst() {}

  /** Runs tasks {@code first .. first+count-1}; {@code fault} runs before step {@code faultAt} (relative). */
  static void run(Harness h, int first, int count, int faultAt, FaultAction fault) throws Exception {
    for (int i = 0; i < count; i++) {
      if (i == faultAt) fault.run();
      int n = first + i;
      h.marathon.putTask(h.task(n));
      h.marathon.emit(h.status(n, "TASK_RUNNING", n));
      if (i % 5 == 4) {
        int killed = n - 3;
        h.marathon.removeTask(h.taskId(killed));
        h.marathon.emit(h.status(killed, "TASK_KILLED", n + 1));
      }
    }
  }

  static void run(Harness h, int first, int count) throws Exception {
    run(h, first, count, -1, () -> {});
  }

  /** A fault to inject: may throw (process signals, waits). */
  interface FaultAction {
    void run() throws Exception;
  }
}
