package io.verdict.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte counts for people: 812 B, 3.4 KiB, 1.2 MiB; and back from what people type. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([A-Za-z]*)");

  private Sizes() {}

  /**
   * A byte count as people write it, with the units of the node's configuration files: a bare
   * number is bytes; k, K, Ki, KiB (and m, g likewise) are powers of 1024; kB, MB, GB are powers
   * of 1000.
   *
   * @throws IllegalArgumentException with a message for the user
   */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a size; write bytes, or e.g. 64k, 16m, 1GiB, 500kB");
    }
    long multiplier = switch (m.group(2)) {
      case "", "b", "B" -> 1L;
      case "k", "K", "Ki", "KiB" -> 1L << 10;
      case "m", "M", "Mi", "MiB" -> 1L << 20;
      case "g", "G", "Gi", "GiB" -> 1L << 30;
      case "kB", "KB" -> 1000L;
      case "MB" -> 1000_000L;
      case "GB" -> 1000_000_000L;
      default -> throw new IllegalArgumentException("unknown unit '" + m.group(2) + "' in '" + text
          + "'; use k, m, g (1024-based) or kB, MB, GB");
    };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), multiplier);
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is too large");
    }
  }

  static String text(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format("%.1f %s", v, units[u]);
  }
}
