package io.verdict.verification;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * A SHA-256 content digest (model, input or output), written {@code sha256:<64 lowercase hex>}.
 * This is the text form agreed with the inference module; in EIP-712 attestations the 32 raw
 * bytes are signed as a {@code bytes32}.
 */
public record ContentDigest(Bytes32 value) {
  public static final String PREFIX = "sha256:";
  private static final Pattern TEXT = Pattern.compile("sha256:[0-9a-f]{64}");

  public ContentDigest {
    if (value == null) {
      throw new MalformedValueException("sha256 digest", "null");
    }
  }

  /**
   * Parses {@code sha256:<64 lowercase hex>}; anything else (uppercase, missing prefix, other
   * length) is rejected so a digest has exactly one text form.
   */
  public static ContentDigest parse(String text) {
    if (text == null || !TEXT.matcher(text).matches()) {
      throw new MalformedValueException("sha256 digest", "expected sha256:<64 lowercase hex>");
    }
    return new ContentDigest(Bytes32.wrap(Hex.decode(text.substring(PREFIX.length()))));
  }

  /** SHA-256 of exactly these bytes. */
  public static ContentDigest of(byte[] content) {
    try {
      return new ContentDigest(Bytes32.wrap(MessageDigest.getInstance("SHA-256").digest(content)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  public static ContentDigest ofRaw(byte[] sha256) {
    return new ContentDigest(Bytes32.wrap(sha256));
  }

  /** True when this is the SHA-256 of {@code content}. */
  public boolean matches(byte[] content) {
    return equals(of(content));
  }

  @Override
  public String toString() {
    return PREFIX + Hex.encode(value.bytes());
  }
}
