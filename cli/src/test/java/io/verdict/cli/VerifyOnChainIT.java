package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.chain.SignedTx;
import io.verdict.chain.TxOutcome;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.Keccak;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.JobClaim;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import io.verdict.verification.quorum.ValidatorSet;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.Receipts;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verdict verify --rpc} against VerdictAnchor on a Hardhat devnet (one for the class): a
 * real receipt (three validators of epoch 3, registered on the contract, sign one output; its
 * attestation is one value of a batch whose root is anchored), then tampered copies of it, an
 * unanchored receipt, an endpoint nobody listens on, and a URL that is not one.
 */
class VerifyOnChainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration MINED = Duration.ofSeconds(30);
  private static final long EPOCH = 3;
  private static final long BATCH_ID = 5;
  private static final int VALUE_INDEX = 2;
  private static final byte[] OUTPUT = "the agreed output bytes".getBytes(StandardCharsets.UTF_8);
  private static final List<String> CHECKS = List.of("chain-id", "root", "transaction",
      "verifyInclusion", "validatorSet", "verifyAttestation");

  private static Devnet devnet;
  private static Receipt unanchored;
  private static Receipt anchored;

  @TempDir
  Path dir;

  @BeforeAll
  static void anchorAReceipt() {
    devnet = Devnet.start(Devnet.locateContractsDir(),
        Path.of("target", "devnet", VerifyOnChainIT.class.getSimpleName()));
    List<ValidatorKey> keys = Stream.generate(ValidatorKey::generate).limit(3).toList();
    List<ValidatorAddress> members = keys.stream().map(ValidatorKey::address).toList();
    ValidatorSet set = ValidatorSet.of(EPOCH, members, 2);
    AttestationDomain domain = new AttestationDomain(devnet.chainId(), devnet.contract());
    JobClaim claim = new JobClaim(JobId.of(Keccak.hash(bytes("job on chain"))),
        ContentDigest.of(bytes("model")), ContentDigest.of(bytes("input")), PolicyText.of("EXACT"),
        EPOCH);
    QuorumTally tally = QuorumTally.open(domain, set, claim, members, 2);
    for (ValidatorKey key : keys) {
      tally = tally.add(Vote.sign(key, domain, claim.attest(ContentDigest.of(OUTPUT)))).tally();
    }
    assertThat(tally.outcome()).isInstanceOf(TallyOutcome.Agreed.class);
    unanchored = Receipts.agreed(tally, OUTPUT);
    assertThat(unanchored.signatures()).hasSize(3);

    List<Bytes32> values = new ArrayList<>();
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 5; i++) {
      byte[] other = new byte[Bytes32.LENGTH];
      random.nextBytes(other);
      values.add(i == VALUE_INDEX ? Bytes32.parse(unanchored.attestationDigest()) : Bytes32.wrap(other));
    }
    StandardMerkleTree tree = StandardMerkleTree.of(values);

    try (Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
      assertThat(chain.registerValidatorSet(set, MINED).success()).isTrue();
      SignedTx tx = chain.signAnchor(BATCH_ID, tree.root(), tree.size(), chain.pendingNonce());
      chain.broadcast(tx);
      TxOutcome mined = chain.awaitReceipt(tx.txHash(), MINED);
      assertThat(mined.success()).isTrue();
      anchored = unanchored.withMerkle(Receipts.merkle(tree, VALUE_INDEX, BATCH_ID))
          .withAnchor(new Receipt.Anchor(devnet.chainId(), devnet.contract().toString(), BATCH_ID,
              tx.txHash(), mined.blockNumber()));
    }
  }

  @AfterAll
  static void stopDevnet() {
    if (devnet != null) {
      devnet.stop();
    }
  }

  @Test
  void anAnchoredReceiptIsConfirmedOnChain() throws Exception {
    Run run = Run.of("verify", write("anchored.json", ReceiptCodec.toJson(anchored)),
        "--rpc", devnet.rpcUrl());

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.OK);
    assertThat(run.out()).startsWith("receipt OK: job " + anchored.jobId())
        .contains("signed by 3 of 3 validators (quorum 2, epoch 3)")
        .contains("in batch " + BATCH_ID + ", anchored on chain " + devnet.chainId())
        .contains("on chain OK: 6 checks passed")
        .doesNotContain("(offline)") // the note that the anchor was not checked
        .doesNotContain("FAILED");
    for (String check : CHECKS) {
      assertThat(run.out()).containsPattern("(?m)^" + check + "\\s+ok\\s+\\S");
    }
    assertThat(run.out()).containsPattern("(?m)^root\\s+ok\\s+batch " + BATCH_ID
        + " anchored with this root in block " + anchored.anchor().blockNumber() + " \\(5 results\\)$");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theJsonReportListsEveryOnChainCheck() throws Exception {
    Run run = Run.of("verify", "--json", write("anchored.json", ReceiptCodec.toJson(anchored)),
        "--rpc", devnet.rpcUrl());

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.OK);
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.get("valid").asBoolean()).isTrue();
    assertThat(report.get("failures")).isEmpty();
    assertThat(report.get("notes").toString()).as("the anchor was checked").doesNotContain("(offline)");
    JsonNode onChain = report.get("onChain");
    assertThat(onChain.isArray()).isTrue();
    assertThat(onChain.findValuesAsText("check")).containsExactlyElementsOf(CHECKS);
    assertThat(onChain).allSatisfy(c -> {
      assertThat(c.get("ok").asBoolean()).as("%s", c).isTrue();
      assertThat(c.get("detail").asText()).isNotBlank();
    });
  }

  @Test
  void changedOutputBytesFailOfflineAndOnChain() throws Exception {
    Run run = verifyTampered(r -> r.put("output",
        Base64.getEncoder().encodeToString(bytes("another output"))));

    assertRejected(run, List.of("OUTPUT_DIGEST_MISMATCH"), List.of("verifyAttestation"));
    assertThat(run.out()).contains("the contract finds no quorum of epoch 3 signatures on the "
        + "attestation of this output (" + ContentDigest.of(bytes("another output")) + ")");
  }

  @Test
  void aChangedOutputDigestFailsOfflineAndOnChain() throws Exception {
    Run run = verifyTampered(r -> ((ObjectNode) r.get("attestation")).put("outputDigest",
        ContentDigest.of(bytes("another output")).toString()));

    assertRejected(run, List.of("OUTPUT_DIGEST_MISMATCH"), List.of("verifyInclusion"));
  }

  @Test
  void aChangedModelDigestFailsOfflineAndOnChain() throws Exception {
    Run run = verifyTampered(r -> ((ObjectNode) r.get("attestation")).put("modelDigest",
        ContentDigest.of(bytes("another model")).toString()));

    assertRejected(run, List.of("ATTESTATION_DIGEST_MISMATCH"),
        List.of("verifyInclusion", "verifyAttestation"));
  }

  @Test
  void aChangedByteInASignatureFailsOfflineAndOnChain() throws Exception {
    Run run = verifyTampered(r -> {
      ObjectNode entry = (ObjectNode) r.get("signatures").get(0);
      String sig = entry.get("signature").asText();
      // "0x", then r: hex digits 2..65
      entry.put("signature", sig.substring(0, 10) + (sig.charAt(10) == '0' ? '1' : '0') + sig.substring(11));
    });

    // two valid signatures remain, the epoch's threshold; the receipt lists three
    assertRejected(run, List.of("SIGNATURE_INVALID"), List.of("verifyAttestation"));
  }

  @Test
  void aChangedProofNodeFailsOfflineAndOnChain() throws Exception {
    Run run = verifyTampered(r -> {
      ArrayNode proof = (ArrayNode) r.get("merkle").get("proof");
      assertThat(proof).isNotEmpty();
      proof.set(0, JSON.getNodeFactory().textNode(flipLastDigit(proof.get(0).asText())));
    });

    assertRejected(run, List.of("MERKLE_ROOT_MISMATCH"), List.of("verifyInclusion"));
  }

  @Test
  void anotherMerkleRootFailsOfflineAndOnChain() throws Exception {
    String other = Keccak.hash32(bytes("another root")).toHex();
    Run run = verifyTampered(r -> ((ObjectNode) r.get("merkle")).put("root", other));

    assertRejected(run, List.of("MERKLE_ROOT_MISMATCH"), List.of("root"));
    assertThat(run.out()).contains("batch " + BATCH_ID + " is anchored with root ")
        .contains(", not " + other);
  }

  @Test
  void aBatchThatIsNotAnchoredFailsOnChainOnly() throws Exception {
    long notAnchored = BATCH_ID + 1000;
    Run run = verifyTampered(r -> {
      ((ObjectNode) r.get("merkle")).put("batchId", notAnchored);
      ((ObjectNode) r.get("anchor")).put("batchId", notAnchored);
    });

    // offline, nothing tells a batch id from another
    assertThat(run.out()).as(run.toString()).startsWith("receipt OK: job ");
    assertRejected(run, List.of(), List.of("root", "verifyInclusion"));
    assertThat(run.out()).contains("holds no root for batch " + notAnchored);
  }

  @Test
  void anUnanchoredReceiptFailsTheAnchoredCheck() throws Exception {
    Run run = Run.of("verify", write("unanchored.json", ReceiptCodec.toJson(unanchored)),
        "--rpc", devnet.rpcUrl());

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).startsWith("receipt OK: job " + unanchored.jobId())
        .contains("on chain INVALID: 1 of 1 checks failed")
        .containsPattern("(?m)^anchored\\s+FAILED\\s+the receipt has no merkle proof yet: its batch is "
            + "not anchored$");

    Run json = Run.of("verify", "--json", dir.resolve("unanchored.json").toString(),
        "--rpc", devnet.rpcUrl());
    assertThat(json.status()).as(json.toString()).isEqualTo(ExitCodes.FAILED);
    JsonNode report = JSON.readTree(json.out());
    assertThat(report.get("valid").asBoolean()).isFalse();
    assertThat(report.get("failures")).isEmpty();
    assertThat(report.get("onChain").findValuesAsText("check")).containsExactly("anchored");
    assertThat(report.get("onChain").get(0).get("ok").asBoolean()).isFalse();
  }

  @Test
  void aClosedPortIsUnreachableAndSaysWhichEndpoint() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort(); // closed again before the CLI runs: nobody listens
    }
    String file = write("anchored.json", ReceiptCodec.toJson(anchored));

    long start = System.nanoTime();
    Run run = Run.of("verify", file, "--rpc", "http://127.0.0.1:" + port + "/v3/secret-api-key",
        "--rpc-timeout", "2");
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(run.err()).contains("the anchor chain at http://127.0.0.1:" + port + " cannot be reached")
        .doesNotContain("secret-api-key");
    assertThat(took).as("an unreachable endpoint is reported at once").isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void anRpcValueThatIsNotAUrlIsAUsageError() throws Exception {
    for (Receipt receipt : List.of(anchored, unanchored)) {
      Run run = Run.of("verify", write("receipt.json", ReceiptCodec.toJson(receipt)), "--rpc", "not-a-url");

      assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.USAGE);
      assertThat(run.err()).contains("--rpc").contains("http:// or https://");
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void aTransactionThatWasNeverMinedFailsOnChainOnly() throws Exception {
    String never = Keccak.hash32(bytes("a transaction never sent")).toHex();
    Run run = verifyTampered(r -> ((ObjectNode) r.get("anchor")).put("txHash", never));

    assertThat(run.out()).as(run.toString()).startsWith("receipt OK: job ");
    assertRejected(run, List.of(), List.of("transaction"));
    assertThat(run.out()).contains("on chain INVALID: 1 of 6 checks failed")
        .contains("no mined transaction " + never);
  }

  @Test
  void aMalformedAnchorIsAnInvalidReceiptNotAUsageError() throws Exception {
    Run run = verifyTampered(r -> ((ObjectNode) r.get("anchor")).put("contract", "0x1234"));

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
    assertThat(run.out()).startsWith("receipt INVALID: ")
        .containsPattern("(?m)^MALFORMED_FIELD\\s+anchor\\.contract\\s+\\S")
        .contains("on chain INVALID: 1 of 1 checks failed")
        .containsPattern("(?m)^anchored\\s+FAILED\\s+the receipt's anchor names no chain to ask: .*20 bytes");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void aMissingOutputFailsTheCheckThatNeedsIt() throws Exception {
    Run run = verifyTampered(r -> r.remove("output"));

    assertRejected(run, List.of("MALFORMED_FIELD"), List.of("verifyAttestation"));
    assertThat(run.out()).contains("malformed receipt field: output is missing");
    assertThat(run.err()).isEmpty();
  }

  /** Runs {@code verify FILE --rpc URL} on a copy of the anchored receipt changed by {@code change}. */
  private Run verifyTampered(Consumer<ObjectNode> change) throws Exception {
    ObjectNode json = (ObjectNode) JSON.readTree(ReceiptCodec.toJson(anchored));
    change.accept(json);
    return Run.of("verify", write("tampered.json", json.toPrettyString()), "--rpc", devnet.rpcUrl());
  }

  /** Exit 1, every offline failure code given listed, and at least the given on-chain checks FAILED. */
  private static void assertRejected(Run run, List<String> offlineCodes, List<String> failedChecks) {
    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.FAILED);
    if (!offlineCodes.isEmpty()) {
      assertThat(run.out()).as(run.toString()).startsWith("receipt INVALID: ");
    }
    for (String code : offlineCodes) {
      assertThat(run.out()).as(run.toString()).containsPattern("(?m)^" + code + "\\s+\\S");
    }
    assertThat(run.out()).as(run.toString())
        .containsPattern("(?m)^on chain INVALID: [1-6] of 6 checks failed$");
    for (String check : failedChecks) {
      assertThat(run.out()).as(run.toString()).containsPattern("(?m)^" + check + "\\s+FAILED\\s+\\S");
    }
  }

  private String write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8).toString();
  }

  private static String flipLastDigit(String hex) {
    char last = hex.charAt(hex.length() - 1);
    return hex.substring(0, hex.length() - 1) + (last == '0' ? '1' : '0');
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
