package io.verdict.verification.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReceiptJsonTest {
  static final Path DOC = Path.of("..", "docs", "RECEIPTS.md");
  static final String BEGIN = "<!-- sample-receipt:begin -->\n```json\n";
  static final String END = "```\n<!-- sample-receipt:end -->";

  @Test
  void roundTripsExactly() {
    Receipt receipt = SampleReceipt.build();
    String json = ReceiptCodec.toJson(receipt);
    Receipt parsed = ReceiptCodec.fromJson(json);
    assertThat(parsed).isEqualTo(receipt);
    assertThat(ReceiptCodec.toJson(parsed)).isEqualTo(json);
    Receipt anchored = receipt.withAnchor(new Receipt.Anchor(31337,
        receipt.domain().verifyingContract(), 42, "0x" + "01".repeat(32), 9));
    assertThat(ReceiptCodec.fromJson(ReceiptCodec.toJson(anchored))).isEqualTo(anchored);
  }

  @Test
  void fieldOrderIsStable() {
    String json = ReceiptCodec.toJson(SampleReceipt.build());
    List<String> keys = List.of("\"format\"", "\"jobId\"", "\"domain\"", "\"attestation\"",
        "\"attestationDigest\"", "\"validatorSet\"", "\"committee\"", "\"quorum\"",
        "\"signatures\"", "\"evidence\"", "\"output\"", "\"merkle\"", "\"anchor\"");
    int last = -1;
    for (String key : keys) {
      int at = json.indexOf("\n  " + key);
      assertThat(at).as(key).isGreaterThan(last);
      last = at;
    }
    assertThat(json).contains("\"anchor\": null").doesNotContain("\r");
  }

  @Test
  void rejectsUnknownFieldsAndNonReceipts() {
    String json = ReceiptCodec.toJson(SampleReceipt.build());
    assertThatThrownBy(() -> ReceiptCodec.fromJson(json.replace("\"quorum\"",
        "\"extra\": 1,\n  \"quorum\""))).isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> ReceiptCodec.fromJson("[]"))
        .isInstanceOf(MalformedReceiptException.class);
    assertThatThrownBy(() -> ReceiptCodec.fromJson("{"))
        .isInstanceOf(MalformedReceiptException.class);
  }

  /** The sample in docs/RECEIPTS.md is exactly what the code produces today, and verifies. */
  @Test
  void documentedSampleIsCurrentAndValid() throws IOException {
    String expected = ReceiptCodec.toJson(SampleReceipt.build()) + "\n";
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int begin = doc.indexOf(BEGIN);
    int end = doc.indexOf(END);
    assertThat(begin).as("sample markers in " + DOC).isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String documented = doc.substring(begin + BEGIN.length(), end);
    if (!documented.equals(expected)) {
      Path actual = Path.of("target", "sample-receipt.json");
      Files.createDirectories(actual.getParent());
      Files.writeString(actual, expected, StandardCharsets.UTF_8);
      assertThat(documented).as("docs/RECEIPTS.md sample is stale; the current one is in "
          + actual.toAbsolutePath()).isEqualTo(expected);
    }
    VerificationReport report = ReceiptVerifier.verify(ReceiptCodec.fromJson(documented));
    assertThat(report.failures()).isEmpty();
  }
}
