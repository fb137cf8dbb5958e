package mdo.deploy;

import java.io.PrintStream;
import mdo.cluster.DeploymentListener;
import mdo.command.Terminal;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a deployment's progress: a progress bar of healthy (or running) instances out of wanted on a terminal, plain
 * lines (one per change) otherwise, so logs and CI output stay readable.
 */
public final class ProgressReporter implements DeploymentListener, AutoCloseable {
  private final PrintStream out;
  private final boolean tty;
  private final String name;
  private final String backend;
  private ProgressBar bar;
  private String lastLine;

  /** @param backend how messages name the backend ("Marathon") */
  public ProgressReporter(Terminal terminal, String name, String backend) {
    this.out = terminal.out();
    this.tty = terminal.tty();
    this.name = name;
    this.backend = backend;
  }

  @Override
  public void progress(Progress p) {
    String line = p.counts() + (p.staged() > 0 ? ", " + p.staged() + " staging" : "")
        + (p.active() ? "" : " (deployment done)");
    if (tty) {
      if (bar == null) {
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(Math.max(p.wanted(), 1))
            .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out))
            .setUpdateIntervalMillis(250).hideEta().build();
      }
      bar.maxHint(Math.max(p.wanted(), 1));
      bar.stepTo(Math.min(p.healthChecked() ? p.healthy() : p.running(), Math.max(p.wanted(), 1)));
      bar.setExtraMessage(line);
    } else if (!line.equals(lastLine)) {
      out.println(name + ": " + line);
    }
    lastLine = line;
  }

  @Override
  public void retrying(String problem) {
    if (bar != null) bar.setExtraMessage(backend + " unreachable, retrying");
    else out.println(name + ": " + backend + " unreachable, retrying (" + problem + ")");
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
