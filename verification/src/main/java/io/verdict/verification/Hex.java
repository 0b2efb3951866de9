package io.verdict.verification;

/** Lowercase hexadecimal encoding, with or without the {@code 0x} prefix. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  /** Lowercase hex without prefix. */
  public static String encode(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /** Lowercase hex with the {@code 0x} prefix. */
  public static String encodePrefixed(byte[] bytes) {
    return "0x" + encode(bytes);
  }

  /**
   * Decodes hex digits (either case), with an optional {@code 0x} prefix.
   *
   * @throws MalformedValueException on odd length or a non-hex character
   */
  public static byte[] decode(String text) {
    if (text == null) {
      throw new MalformedValueException("hex", "null");
    }
    String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (digits.length() % 2 != 0) {
      throw new MalformedValueException("hex", "odd number of digits (" + digits.length() + ")");
    }
    byte[] out = new byte[digits.length() / 2];
    for (int i = 0; i < out.length; i++) {
      int hi = Character.digit(digits.charAt(2 * i), 16);
      int lo = Character.digit(digits.charAt(2 * i + 1), 16);
      if (hi < 0 || lo < 0) {
        throw new MalformedValueException("hex", "non-hex character at position " + (2 * i));
      }
      out[i] = (byte) ((hi << 4) | lo);
    }
    return out;
  }

  /** Decodes text that must carry the {@code 0x} prefix and exactly {@code length} bytes. */
  public static byte[] decodePrefixed(String text, int length, String valueKind) {
    if (text == null || !text.startsWith("0x")) {
      throw new MalformedValueException(valueKind, "expected 0x-prefixed hex");
    }
    byte[] bytes;
    try {
      bytes = decode(text);
    } catch (MalformedValueException e) {
      throw new MalformedValueException(valueKind, e.getMessage());
    }
    if (bytes.length != length) {
      throw new MalformedValueException(valueKind, "expected " + length + " bytes, got " + bytes.length);
    }
    return bytes;
  }
}
