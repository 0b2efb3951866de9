package io.verdict.node;

import static io.verdict.node.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.verdict.api.v1.AnchorStatusRequest;
import io.verdict.api.v1.AnchorStatusResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.chain.AnchorChain;
import io.verdict.chain.OnChainReceiptCheck;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.inference.demo.DemoModels;
import io.verdict.verification.Hex;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.keys.ValidatorKeystore;
import io.verdict.verification.receipt.Receipt;
import io.verdict.verification.receipt.ReceiptCodec;
import io.verdict.verification.receipt.ReceiptVerifier;
import io.verdict.verification.receipt.VerificationReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Jobs → batches → roots on a real devnet → receipts that verify three ways: offline (Java),
 * on chain (the contract's verifyInclusion and verifyAttestation, through {@link OnChainReceiptCheck}),
 * and in Node.js with ethers and {@code @openzeppelin/merkle-tree} (contracts/scripts/verify-receipt.mjs).
 * A changed output, digest, signature or proof node is rejected by all three.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AnchoringNodeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 20;
    private static final int MAX_BATCH = 8;

    private static Path workDir;
    private static Devnet devnet;
    private static ActorSystem<Void> clientSystem;
    private static VerdictNode node;
    private static TestNodes.Clients clients;
    private static AnchorChain chain;
    private static final Map<String, String> receipts = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        workDir = TestNodes.tempDir("anchoring-");
        devnet = Devnet.start(Devnet.locateContractsDir(), workDir.resolve("devnet"), Duration.ofMillis(500));
        // the devnet's owner (also an authorised anchorer) in a keystore file, as an operator would keep it
        Path keystore = workDir.resolve("anchorer.json");
        ValidatorKeystore.save(ValidatorKey.fromPrivateKey(
                Hex.decodePrefixed(TestNodes.devnetOwnerKey(devnet), 32, "devnet owner key")), "test-only",
                keystore, ValidatorKeystore.Strength.LIGHT);
        node = VerdictNode.start(TestNodes.config(workDir.resolve("data"), """
                verdict.validators.count = 3
                verdict.chain.id = %d
                verdict.chain.anchor-contract = "%s"
                verdict.anchor.enabled = true
                verdict.anchor.rpc-url = "%s"
                verdict.anchor.key.keystore = "%s"
                verdict.anchor.key.password = "test-only"
                verdict.anchor.max-batch = %d
                verdict.anchor.max-delay = 300ms
                verdict.anchor.confirmations = 2
                """.formatted(devnet.chainId(), devnet.contract(), devnet.rpcUrl(),
                keystore.toString().replace("\\", "/"), MAX_BATCH)));
        clientSystem = TestNodes.clientSystem();
        clients = TestNodes.Clients.connect(clientSystem, node);
        chain = new Web3AnchorChain(devnet.settings());
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close();
        }
        if (node != null) {
            node.stop();
        }
        if (chain != null) {
            chain.close();
        }
        if (devnet != null) {
            devnet.stop();
        }
        TestNodes.terminate(clientSystem);
        TestNodes.deleteRecursively(workDir);
    }

    @Test
    @Order(1)
    void agreedJobsAreBatchedAnchoredAndTheirReceiptsVerifyOfflineOnChainAndInNode() throws Exception {
        List<CompletionStage<SubmitResponse>> submitted = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            submitted.add(clients.verdict().submit(TestNodes.submit("mlp",
                    DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 5000 + i))));
        }
        List<String> jobIds = new ArrayList<>();
        for (CompletionStage<SubmitResponse> s : submitted) {
            jobIds.add(await(s).getJob().getJobId());
        }
        TestNodes.awaitCondition("every receipt anchored", Duration.ofSeconds(90), () -> jobIds.stream()
                .allMatch(id -> receipt(id).getAnchored()));
        for (String id : jobIds) {
            receipts.put(id, receipt(id).getReceiptJson());
        }

        Map<Long, Integer> perBatch = new LinkedHashMap<>();
        for (String json : receipts.values()) {
            Receipt r = TestNodes.verifiedReceipt(json);
            assertThat(ReceiptVerifier.verify(r).notes()).as("offline notes").noneMatch(n -> n.contains("not yet"));
            assertThat(r.anchor().chainId()).isEqualTo(devnet.chainId());
            assertThat(r.anchor().contract()).isEqualTo(devnet.contract().toString());
            assertThat(r.merkle().batchId()).isEqualTo(r.anchor().batchId());
            perBatch.merge(r.merkle().batchId(), 1, Integer::sum);
            List<OnChainReceiptCheck.Check> onChain = OnChainReceiptCheck.run(r, chain);
            assertThat(onChain).as("on-chain checks of job %s", r.jobId()).allMatch(OnChainReceiptCheck.Check::ok);
            assertThat(onChain).extracting(OnChainReceiptCheck.Check::name).contains("verifyInclusion",
                    "verifyAttestation", "root", "transaction", "validatorSet");
        }
        assertThat(perBatch.values()).allMatch(n -> n <= MAX_BATCH);
        assertThat(perBatch.size()).isGreaterThanOrEqualTo((JOBS + MAX_BATCH - 1) / MAX_BATCH);
        for (var e : perBatch.entrySet()) {
            assertThat(chain.batch(e.getKey()).orElseThrow().count()).as("results in batch %d", e.getKey())
                    .isGreaterThanOrEqualTo(e.getValue());
        }

        // the Node.js verifier (ethers + @openzeppelin/merkle-tree), on chain too, for a receipt of each batch
        Map<Long, String> onePerBatch = new LinkedHashMap<>();
        receipts.values().forEach(json -> onePerBatch.putIfAbsent(ReceiptCodec.fromJson(json).merkle().batchId(),
                json));
        for (String json : onePerBatch.values()) {
            NodeVerdict v = nodeVerify(json);
            assertThat(v.exit()).as("Node verifier: %s", v.report()).isZero();
        }

        AnchorStatusResponse status = await(clients.verdict().anchorStatus(AnchorStatusRequest.getDefaultInstance()));
        assertThat(status.getEnabled()).isTrue();
        assertThat(status.getAnchoredResults()).isEqualTo(JOBS);
        assertThat(status.getAnchoredBatches()).isEqualTo(perBatch.size());
        assertThat(status.getContract()).isEqualTo(devnet.contract().toString());
        assertThat(status.getHalted()).isFalse();
        assertThat(status.getLastBatchId()).isEqualTo(perBatch.size());
    }

    @Test
    @Order(2)
    void aChangedOutputDigestSignatureOrProofNodeIsRejectedOfflineOnChainAndInNode() throws Exception {
        String original = receipts.values().iterator().next();
        Map<String, Consumer<ObjectNode>> tampers = new LinkedHashMap<>();
        tampers.put("output", r -> r.put("output", Base64.getEncoder().encodeToString(
                "not the output".getBytes(StandardCharsets.UTF_8))));
        tampers.put("outputDigest", r -> ((ObjectNode) r.get("attestation")).put("outputDigest",
                "sha256:" + "ab".repeat(32)));
        tampers.put("modelDigest", r -> ((ObjectNode) r.get("attestation")).put("modelDigest",
                "sha256:" + "cd".repeat(32)));
        tampers.put("signature", r -> {
            ObjectNode sig = (ObjectNode) r.get("signatures").get(0);
            String s = sig.get("signature").asText();
            sig.put("signature", s.substring(0, 10) + (s.charAt(10) == '0' ? '1' : '0') + s.substring(11));
        });
        tampers.put("proof node", r -> {
            ArrayNode proof = (ArrayNode) r.get("merkle").get("proof");
            assertThat(proof).as("a batch of several results has a proof").isNotEmpty();
            String p = proof.get(0).asText();
            proof.set(0, JSON.getNodeFactory().textNode(p.substring(0, 2) + (p.charAt(2) == 'f' ? 'e' : 'f')
                    + p.substring(3)));
        });
        for (var t : tampers.entrySet()) {
            ObjectNode tree = (ObjectNode) JSON.readTree(original);
            t.getValue().accept(tree);
            String json = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree);
            Receipt receipt = ReceiptCodec.fromJson(json);

            VerificationReport offline = ReceiptVerifier.verify(receipt);
            assertThat(offline.valid()).as("offline verification of a changed %s", t.getKey()).isFalse();
            List<OnChainReceiptCheck.Check> onChain = OnChainReceiptCheck.run(receipt, chain);
            assertThat(onChain).as("on-chain checks of a changed %s", t.getKey())
                    .anyMatch(c -> !c.ok());
            NodeVerdict node = nodeVerify(json);
            assertThat(node.exit()).as("Node verifier on a changed %s: %s", t.getKey(), node.report()).isEqualTo(1);
        }
    }

    private static GetReceiptResponse receipt(String jobId) {
        return await(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(jobId).build()));
    }

    private record NodeVerdict(int exit, String report) {}

    /** Runs contracts/scripts/verify-receipt.mjs on {@code json} against the devnet. */
    private static NodeVerdict nodeVerify(String json) throws IOException, InterruptedException {
        Path file = Files.createTempFile(workDir, "receipt-", ".json");
        Files.writeString(file, json);
        Path contracts = Devnet.locateContractsDir();
        Path report = Files.createTempFile(workDir, "node-report-", ".txt");
        Process p = new ProcessBuilder("node", contracts.resolve("scripts").resolve("verify-receipt.mjs").toString(),
                file.toString(), "--rpc", devnet.rpcUrl())
                .directory(contracts.toFile())
                .redirectErrorStream(true)
                .redirectOutput(report.toFile())
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the Node verifier did not finish within 60 s");
        }
        return new NodeVerdict(p.exitValue(), Files.readString(report));
    }
}
