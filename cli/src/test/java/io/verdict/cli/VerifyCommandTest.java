package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code verdict verify}: offline, on receipts made here with real keys and signatures. */
class VerifyCommandTest {
  private static final byte[] OUTPUT = TestReceipts.bytes("canonical output bytes");

  @TempDir
  Path dir;

  @Test
  void validReceiptPrintsOkAndExitsZero() throws Exception {
    Receipt receipt = TestReceipts.agreed("valid", OUTPUT);
    Path file = write("valid.json", ReceiptCodec.toJson(receipt));

    Run run = Run.of("verify", file.toString());

    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("receipt OK: job " + receipt.jobId()
        + ", output " + receipt.attestation().outputDigest()
        + ", signed by 2 of 3 validators (quorum 2, epoch 3)");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void tamperedOutputIsReportedWithCodeAndPathAndExitsOne() throws Exception {
    Receipt valid = TestReceipts.agreed("tampered", OUTPUT);
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(ReceiptCodec.toJson(valid));
    json.put("output", Base64.getEncoder().encodeToString(TestReceipts.bytes("another output")));
    Path file = write("tampered.json", json.toPrettyString());

    Run run = Run.of("verify", file.toString());

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).startsWith("receipt INVALID: 1 failure")
        .containsPattern("(?m)^OUTPUT_DIGEST_MISMATCH\\s+output\\s+\\S");
  }

  @Test
  void forgedSignatureListsEveryFailure() throws Exception {
    Receipt valid = TestReceipts.agreed("forged", OUTPUT);
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(ReceiptCodec.toJson(valid));
    ObjectNode first = (ObjectNode) json.get("signatures").get(0);
    String sig = first.get("signature").asText();
    char flipped = sig.charAt(10) == '0' ? '1' : '0';
    first.put("signature", sig.substring(0, 10) + flipped + sig.substring(11));
    Path file = write("forged.json", json.toPrettyString());

    Run run = Run.of("verify", "--json", file.toString());

    assertThat(run.status()).isEqualTo(ExitCodes.FAILED);
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.get("valid").asBoolean()).isFalse();
    assertThat(report.get("failures").findValuesAsText("code"))
        .contains("SIGNATURE_INVALID", "QUORUM_NOT_MET");
    assertThat(report.get("failures").findValuesAsText("path")).contains("signatures[0]");
  }

  @Test
  void jsonReportOfAValidReceipt() throws Exception {
    Receipt receipt = TestReceipts.agreed("json", OUTPUT);
    Path file = write("r.json", ReceiptCodec.toJson(receipt));

    Run run = Run.of("verify", file.toString(), "--json");

    assertThat(run.status()).isZero();
    JsonNode report = new ObjectMapper().readTree(run.out());
    assertThat(report.get("valid").asBoolean()).isTrue();
    assertThat(report.get("jobId").asText()).isEqualTo(receipt.jobId());
    assertThat(report.get("signatures").asInt()).isEqualTo(2);
    assertThat(report.get("failures")).isEmpty();
  }

  @Test
  void notAReceiptAndMissingFile() throws Exception {
    Path garbage = write("garbage.json", "{\"hello\": \"world\"}");
    Run run = Run.of("verify", garbage.toString());
    assertThat(run.status()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).startsWith("receipt INVALID: not a receipt document");

    Run missing = Run.of("verify", dir.resolve("absent.json").toString());
    assertThat(missing.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(missing.err()).contains("receipt file").contains("does not exist");
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }
}
