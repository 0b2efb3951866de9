package io.verdict.inference.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A SHA-256 content digest, written {@code sha256:<64 lowercase hex digits>} in text.
 *
 * <p>Holds exactly 32 bytes; {@link #bytes()} returns a copy. {@link #parse(String)} accepts only
 * the canonical text form (lowercase hex), so {@code parse(d.toString()).equals(d)} always holds
 * and no two strings denote the same digest.
 */
public record ContentDigest(byte[] bytes) implements Comparable<ContentDigest> {

    /** Text prefix of every digest. */
    public static final String PREFIX = "sha256:";
    /** Length in bytes of a SHA-256 digest. */
    public static final int LENGTH = 32;

    private static final HexFormat HEX = HexFormat.of();

    public ContentDigest {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException(
                    "a SHA-256 digest has " + LENGTH + " bytes, got " + (bytes == null ? "null" : bytes.length));
        }
        bytes = bytes.clone();
    }

    /** SHA-256 of {@code content}. */
    public static ContentDigest of(byte[] content) {
        return new ContentDigest(newSha256().digest(content));
    }

    /** Parses {@code sha256:<64 lowercase hex>}; anything else is rejected. */
    public static ContentDigest parse(String text) {
        if (text == null || !text.startsWith(PREFIX) || text.length() != PREFIX.length() + 2 * LENGTH) {
            throw new IllegalArgumentException("not a digest (expected sha256:<64 lowercase hex>): " + text);
        }
        String hex = text.substring(PREFIX.length());
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("not a digest (expected sha256:<64 lowercase hex>): " + text);
            }
        }
        return new ContentDigest(HEX.parseHex(hex));
    }

    /** A fresh SHA-256 {@link MessageDigest} (always present on every Java platform). */
    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory on every Java platform", e);
        }
    }

    /** A copy of the 32 digest bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The 64 lowercase hex digits, without prefix. */
    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ContentDigest other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public int compareTo(ContentDigest o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return PREFIX + hex();
    }
}
