package io.verdict.sharding.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.verification.Hex;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobIdsTest {
  private static final String MODEL =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String INPUT =
      "sha256:a6e30f01333fce7ac23feb45bf11e76bd517e308c58bab71c94b21f845247719";

  /** The vector in docs/FORMATS.md, "Job ids" (also recomputed independently with Python). */
  @Test
  void stableVector() {
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "req-1"))
        .isEqualTo("0xc0399f18cee8a64a06c3855628f9e332dfdbcc503a10109696ff56daa577f7b0");
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", null))
        .isEqualTo("0x12c6c99dd1b8cfebc9cbbb9ef542b7274e1cd028d5b0677097cd7767cba02d79");
  }

  @Test
  void encodingIsLengthPrefixedLittleEndian() {
    byte[] e = JobIds.encode(MODEL, "EXACT", INPUT, 3, 2, "alice", null);
    String hex = Hex.encode(e);
    assertThat(hex).startsWith("0d000000" + Hex.encode("verdict-job/1".getBytes()));
    assertThat(hex).contains("05000000" + Hex.encode("EXACT".getBytes()));
    assertThat(hex).endsWith("03000000" + "02000000" + "05000000"
        + Hex.encode("alice".getBytes()) + "00000000");
    assertThat(e).hasSize(4 + 13 + 4 + 71 + 4 + 5 + 4 + 71 + 4 + 4 + 4 + 5 + 4);

    byte[] keyed = JobIds.encode(MODEL, "EXACT", INPUT, 3, 2, "alice", "req-1");
    assertThat(Hex.encode(keyed)).isEqualTo("11000000" + Hex.encode("verdict-job-key/1".getBytes())
        + "05000000" + Hex.encode("alice".getBytes()) + "05000000" + Hex.encode("req-1".getBytes()));
  }

  @Test
  void aKeyedRequestIsIdentifiedByRequesterAndKeyAlone() {
    String id = JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "req-1");
    assertThat(JobIds.derive(INPUT, "ARGMAX", MODEL, 5, 4, "alice", "req-1")).isEqualTo(id);
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "bob", "req-1")).isNotEqualTo(id);
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "req-2")).isNotEqualTo(id);
  }

  @Test
  void retriesGiveTheSameIdAndNoClientRequestIdEqualsTheEmptyOne() {
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "r"))
        .isEqualTo(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "r"));
    assertThat(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", null))
        .isEqualTo(JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", ""));
  }

  @Test
  void everyFieldChangesTheIdOfAnUnkeyedRequest() {
    List<String> ids = List.of(
        JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", null),
        JobIds.derive(INPUT, "EXACT", INPUT, 3, 2, "alice", null),
        JobIds.derive(MODEL, "ARGMAX", INPUT, 3, 2, "alice", null),
        JobIds.derive(MODEL, "EXACT", MODEL, 3, 2, "alice", null),
        JobIds.derive(MODEL, "EXACT", INPUT, 4, 2, "alice", null),
        JobIds.derive(MODEL, "EXACT", INPUT, 3, 3, "alice", null),
        JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "bob", null),
        JobIds.derive(MODEL, "EXACT", INPUT, 3, 2, "alice", "r"));
    Set<String> distinct = new HashSet<>(ids);
    assertThat(distinct).hasSize(ids.size());
    assertThat(ids).allSatisfy(id -> assertThat(id).matches("0x[0-9a-f]{64}"));
  }
}
