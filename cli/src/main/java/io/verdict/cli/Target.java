package io.verdict.cli;

import picocli.CommandLine;

/** Where the node listens: {@code host:port}, with IPv6 hosts in brackets ({@code [::1]:50051}). */
public record Target(String host, int port) {
  public Target {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("the target host is empty");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("the target port must be 1..65535, got " + port);
    }
  }

  /** Parses {@code host:port}. */
  public static Target parse(String text) {
    String t = text.trim();
    int colon = t.lastIndexOf(':');
    if (colon <= 0 || colon == t.length() - 1) {
      throw new IllegalArgumentException("expected host:port, got '" + text + "'");
    }
    String host = t.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("write an IPv6 host in brackets, as [::1]:50051");
    }
    int port;
    try {
      port = Integer.parseInt(t.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the port of '" + text + "' is not a number");
    }
    return new Target(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** Lets picocli report a malformed {@code --target} as a usage error. */
  static final class Converter implements CommandLine.ITypeConverter<Target> {
    @Override
    public Target convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
