package mdo.devcluster.run;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts commands in their own session and process group ({@code setsid}) and signals whole groups, so a kill
 * reaches a task's children too. Java cannot call {@code setpgid}/{@code killpg} itself; {@code setsid} and
 * {@code kill} from util-linux/procps do it. Descendants are also signalled through {@link ProcessHandle}, in case a
 * child left the group.
 */
final class ProcessGroups {
  private static final String SETSID = find("setsid");

  private ProcessGroups() {}

  /** {@code command} prefixed so it leads a new process group whose id is the new process's pid. */
  static List<String> inNewGroup(List<String> command) {
    List<String> out = new ArrayList<>();
    if (SETSID != null) out.add(SETSID);
    out.addAll(command);
    return out;
  }

  /** SIGTERM ("TERM") or SIGKILL ("KILL") to the group led by {@code pid} and to every descendant. */
  static void signal(ProcessHandle leader, String signal) {
    List<ProcessHandle> descendants = leader.descendants().toList();
    if (SETSID != null && leader.isAlive()) {
      try {
        Process kill = new ProcessBuilder("kill", "-s", signal, "--", "-" + leader.pid())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        kill.waitFor(2, TimeUnit.SECONDS);
      } catch (IOException e) {
        // fall through to the per-process signals below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    boolean force = signal.equals("KILL");
    for (ProcessHandle p : descendants) {
      if (force) p.destroyForcibly(); else p.destroy();
    }
    if (force) leader.destroyForcibly(); else leader.destroy();
  }

  /**
   * SIGKILL to what is left of a task's group after its leader exited (a background child, say), as Mesos would
   * destroy the container. The group id cannot have been reused while any member still exists.
   */
  static void killGroupRemains(long pgid) {
    if (SETSID == null) return;
    try {
      new ProcessBuilder("kill", "-s", "KILL", "--", "-" + pgid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill binary: nothing more can be done from Java for processes outside our descendants
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static String find(String binary) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      File candidate = new File(dir, binary);
      if (candidate.canExecute()) return candidate.getAbsolutePath();
    }
    return null;
  }
}
