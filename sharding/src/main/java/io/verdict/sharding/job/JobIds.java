package io.verdict.sharding.job;

import io.verdict.verification.JobId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Derives a job id from the request, so a retried request lands on the same job entity.
 *
 * <p>{@code jobId = SHA-256(encoding)}, written as {@code 0x} + 64 lowercase hex digits (a
 * {@code bytes32}). Without a client request id the encoding is these eight fields, in order:
 *
 * <ol>
 *   <li>the tag {@code "verdict-job/1"}</li>
 *   <li>the model digest, text form {@code sha256:<64 lowercase hex>}</li>
 *   <li>the agreement policy's canonical text (e.g. {@code EXACT}, {@code QUANTIZED(0.001)})</li>
 *   <li>the input digest, text form {@code sha256:<64 lowercase hex>}</li>
 *   <li>r, the committee size</li>
 *   <li>q, the quorum</li>
 *   <li>the requester</li>
 *   <li>the empty string (the absent client request id)</li>
 * </ol>
 *
 * <p>With a client request id — an idempotency key — the id depends on the key alone:
 * {@code "verdict-job-key/1"}, the requester, the key. The same key with the same content is
 * the same job; the same key with different content reaches that same entity, which refuses it
 * as a different request (ALREADY_EXISTS at the edge) instead of quietly starting a second job.
 *
 * <p>Each text field is a u32 little-endian byte count followed by its UTF-8 bytes; r and q are
 * u32 little-endian (4 bytes, no length prefix). The length prefixes make the encoding
 * unambiguous: no two different field tuples encode to the same bytes. The model name, version
 * and the job's timeout are deliberately not part of the id: a retry with a fresh deadline, or
 * naming the same model by digest instead of name, is the same request.
 */
public final class JobIds {
  /** The domain-separation tag, first field of the encoding of a request without a key. */
  public static final String TAG = "verdict-job/1";
  /** The domain-separation tag, first field of the encoding of a request with a key. */
  public static final String KEYED_TAG = "verdict-job-key/1";

  private JobIds() {}

  /** The job id of a request, as {@code 0x} + 64 lowercase hex digits. */
  public static String derive(String modelDigest, String policy, String inputDigest, int r, int q,
                              String requester, String clientRequestId) {
    return JobId.of(sha256(encode(modelDigest, policy, inputDigest, r, q, requester,
        clientRequestId))).toString();
  }

  /** The exact bytes that are hashed (exposed for documentation and tests). */
  static byte[] encode(String modelDigest, String policy, String inputDigest, int r, int q,
                       String requester, String clientRequestId) {
    if (modelDigest == null || policy == null || inputDigest == null || requester == null) {
      throw new IllegalArgumentException("model digest, policy, input digest and requester are "
          + "required");
    }
    if (r < 0 || q < 0) {
      throw new IllegalArgumentException("r and q must not be negative");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (clientRequestId != null && !clientRequestId.isEmpty()) {
      text(out, KEYED_TAG);
      text(out, requester);
      text(out, clientRequestId);
      return out.toByteArray();
    }
    text(out, TAG);
    text(out, modelDigest);
    text(out, policy);
    text(out, inputDigest);
    u32(out, r);
    u32(out, q);
    text(out, requester);
    text(out, "");
    return out.toByteArray();
  }

  private static void text(ByteArrayOutputStream out, String s) {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    u32(out, utf8.length);
    out.writeBytes(utf8);
  }

  private static void u32(ByteArrayOutputStream out, int v) {
    out.write(v & 0xff);
    out.write((v >>> 8) & 0xff);
    out.write((v >>> 16) & 0xff);
    out.write((v >>> 24) & 0xff);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }
}
