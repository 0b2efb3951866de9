package io.verdict.cli;

import java.time.Duration;

/** Durations as people write them on a command line: seconds, fractions allowed. */
final class Durations {
  private Durations() {}

  /** {@code 30} or {@code 2.5} seconds; must be positive. */
  static Duration seconds(String text) {
    double s;
    try {
      s = Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a number of seconds");
    }
    if (!(s > 0) || s > 86_400) {
      throw new IllegalArgumentException("a timeout must be more than 0 and at most 86400 seconds, got " + text);
    }
    return Duration.ofNanos(Math.round(s * 1e9));
  }

  static String text(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format("%.1f s", ms / 1000.0);
  }
}
