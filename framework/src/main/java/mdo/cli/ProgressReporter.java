package mdo.cli;

import java.io.PrintStream;
import mdo.deploy.DeploymentWatcher;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a deployment's progress: a progress bar of healthy (or running) instances out of wanted on a terminal, plain
 * lines (one per change) otherwise, so logs and CI output stay readable.
 */
public final class ProgressReporter implements DeploymentWatcher.Listener, AutoCloseable {
  private final PrintStream out;
  private final boolean tty;
  private final String name;
  private ProgressBar bar;
  private String lastLine;

  public ProgressReporter(Terminal terminal, String name) {
    this.out = terminal.out();
    this.tty = terminal.tty();
    this.name = name;
  }

  @Override
  public void progress(DeploymentWatcher.Progress p) {
    String line = p.counts() + (p.staged() > 0 ? ", " + p.staged() + " staging" : "")
        + (p.deploymentActive() ? "" : " (deployment done)");
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
    if (bar != null) bar.setExtraMessage("Marathon unreachable, retrying");
    else out.println(name + ": Marathon unreachable, retrying (" + problem + ")");
  }

  @Override
  public void close() {
    if (bar != null) bar.close();
  }
}
