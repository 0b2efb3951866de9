package io.verdict.cli;

import java.io.PrintWriter;

/**
 * Upload progress on stderr: a bar redrawn in place when stderr is a terminal, otherwise a single
 * line at the end (so logs and pipes stay clean).
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintWriter err;
  private final boolean terminal;
  private final long total;
  private final String label;
  private final long started = System.nanoTime();
  private int lastPercent = -1;

  Progress(PrintWriter err, boolean terminal, long total, String label) {
    this.err = err;
    this.terminal = terminal;
    this.total = total;
    this.label = label;
  }

  synchronized void update(long done) {
    if (!terminal) {
      return;
    }
    int percent = total == 0 ? 100 : (int) Math.min(100, done * 100 / total);
    if (percent == lastPercent) {
      return;
    }
    lastPercent = percent;
    int filled = percent * WIDTH / 100;
    err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
        + String.format("%3d%%", percent) + "  " + Sizes.text(done) + " / " + Sizes.text(total));
    err.flush();
  }

  synchronized void done(long bytes) {
    double seconds = (System.nanoTime() - started) / 1e9;
    if (terminal) {
      update(bytes);
      err.println();
    }
    err.println(label + " " + Sizes.text(bytes) + " in " + String.format("%.1f s", seconds));
    err.flush();
  }

  /** Ends the bar's line after a failure, so the error message starts on a line of its own. */
  synchronized void abort() {
    if (terminal && lastPercent >= 0) {
      err.println();
      err.flush();
    }
  }

  /** Whether stderr is a terminal: told by the ./verdict script, else guessed from the console. */
  static boolean stderrIsTerminal() {
    String told = System.getProperty("verdict.stderr.tty");
    if (told != null) {
      return Boolean.parseBoolean(told);
    }
    return System.console() != null;
  }
}
