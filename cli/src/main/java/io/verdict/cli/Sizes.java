package io.verdict.cli;

/** Byte counts for people: 812 B, 3.4 KiB, 1.2 MiB. */
final class Sizes {
  private Sizes() {}

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
