package io.verdict.chain;

import static io.verdict.chain.TestDevnets.hash;
import static io.verdict.chain.TestDevnets.validator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.chain.devnet.Devnet;
import io.verdict.verification.Address;
import io.verdict.verification.Bytes32;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.Hex;
import io.verdict.verification.JobId;
import io.verdict.verification.Keccak;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.merkle.StandardMerkleTree;
import io.verdict.verification.quorum.ValidatorSet;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Web3AnchorChain against VerdictAnchor on a Hardhat devnet (one per class). */
class Web3AnchorChainTest {
  private static final Duration MINED = Duration.ofSeconds(10);

  private static Devnet devnet;
  private static Web3AnchorChain chain;

  @BeforeAll
  static void startDevnet() {
    devnet = TestDevnets.start(Web3AnchorChainTest.class);
    chain = new Web3AnchorChain(devnet.settings());
  }

  @AfterAll
  static void stopDevnet() {
    if (chain != null) {
      chain.close();
    }
    if (devnet != null) {
      devnet.stop();
    }
  }

  private static TxOutcome anchor(long batchId, Bytes32 root, long count) {
    SignedTx tx = chain.signAnchor(batchId, root, count, chain.pendingNonce());
    chain.broadcast(tx);
    return chain.awaitReceipt(tx.txHash(), MINED);
  }

  @Test
  void reportsChainIdBlockNumberContractAndSender() {
    assertThat(chain.chainId()).isEqualTo(31337L).isEqualTo(devnet.chainId());
    assertThat(chain.blockNumber()).isPositive(); // deployment and setAnchorer at least
    assertThat(chain.contract()).isEqualTo(devnet.contract());
    assertThat(chain.sender()).isEqualTo(devnet.anchorerKey().address());
    chain.checkChainId();
  }

  @Test
  void anchorsABatchAndReadsItBack() {
    Bytes32 root = hash("root of batch 1");
    long nonce = chain.pendingNonce();
    SignedTx tx = chain.signAnchor(1, root, 42, nonce);
    assertThat(tx.nonce()).isEqualTo(nonce);
    assertThat(tx.txHash()).isEqualTo(Hex.encodePrefixed(
        Keccak.hash(Hex.decode(tx.rawHex()))));
    assertThat(chain.batch(1)).isEmpty(); // signing sends nothing

    chain.broadcast(tx);
    TxOutcome outcome = chain.awaitReceipt(tx.txHash(), MINED);

    assertThat(outcome.success()).isTrue();
    assertThat(outcome.txHash()).isEqualTo(tx.txHash());
    assertThat(outcome.blockHash()).matches("0x[0-9a-f]{64}");
    assertThat(chain.receipt(tx.txHash())).contains(outcome);
    assertThat(chain.batch(1)).contains(new AnchoredBatch(root, 42, outcome.blockNumber()));
    assertThat(chain.pendingNonce()).isEqualTo(nonce + 1);
  }

  @Test
  void unknownBatchAndUnknownTransactionAreEmpty() {
    assertThat(chain.batch(987_654_321L)).isEmpty();
    assertThat(chain.receipt(hash("no such transaction").toHex())).isEmpty();
  }

  @Test
  void broadcastingTheSameSignedTransactionAgainIsHarmless() {
    Bytes32 root = hash("root of batch 2");
    SignedTx tx = chain.signAnchor(2, root, 7, chain.pendingNonce());
    chain.broadcast(tx);
    chain.broadcast(tx); // mined already (automine): the node answers "nonce too low" for it
    TxOutcome outcome = chain.awaitReceipt(tx.txHash(), MINED);
    chain.broadcast(tx);

    assertThat(outcome.success()).isTrue();
    assertThat(chain.batch(2)).contains(new AnchoredBatch(root, 7, outcome.blockNumber()));
  }

  @Test
  void reAnchoringTheSameRootWithANewNonceSucceedsAndChangesNothing() {
    Bytes32 root = hash("root of batch 3");
    TxOutcome first = anchor(3, root, 5);
    AnchoredBatch anchored = chain.batch(3).orElseThrow();

    TxOutcome second = anchor(3, root, 5);

    assertThat(second.success()).isTrue();
    assertThat(second.txHash()).isNotEqualTo(first.txHash());
    assertThat(second.blockNumber()).isGreaterThan(first.blockNumber());
    assertThat(chain.batch(3)).contains(anchored);
    assertThat(anchored.blockNumber()).isEqualTo(first.blockNumber());

    // only the first transaction anchored the batch: it alone carries the Anchored event
    assertThat(chain.anchoredRootIn(first.txHash(), 3)).contains(root);
    assertThat(chain.anchoredRootIn(second.txHash(), 3)).isEmpty();
    assertThat(chain.anchoredRootIn(first.txHash(), 4)).isEmpty();
    assertThat(chain.anchoredRootIn("0x" + "00".repeat(32), 3)).isEmpty();
    assertThat(chain.anchorTransaction(3)).map(TxOutcome::txHash).contains(first.txHash());
    assertThat(chain.anchorTransaction(3)).map(TxOutcome::blockNumber).contains(first.blockNumber());
    assertThat(chain.anchorTransaction(4)).isEmpty();
  }

  @Test
  void anotherRootForAnAnchoredBatchIsRejectedAsRootMismatch() {
    Bytes32 root = hash("root of batch 4");
    Bytes32 other = hash("another root of batch 4");
    anchor(4, root, 2);

    assertThatThrownBy(() -> chain.signAnchor(4, other, 2, chain.pendingNonce()))
        .isInstanceOf(ChainRejectedException.class)
        .isNotInstanceOf(NonceTooLowException.class)
        .hasMessageContaining("RootMismatch")
        .satisfies(e -> {
          ChainRejectedException rejected = (ChainRejectedException) e;
          assertThat(rejected.errorName()).contains("RootMismatch");
          assertThat(rejected.errorArgs()).containsExactly(AnchorAbi.batchKey(4).toHex(),
              root.toHex(), other.toHex());
        });
    assertThat(chain.batch(4).orElseThrow().root()).isEqualTo(root);
  }

  @Test
  void aTransactionThatRevertsWhenSentIsRejected() {
    // both signed while batch 5 is empty, so both estimate fine; the second reverts when sent
    long nonce = chain.pendingNonce();
    SignedTx first = chain.signAnchor(5, hash("root of batch 5"), 1, nonce);
    SignedTx second = chain.signAnchor(5, hash("another root of batch 5"), 1, nonce + 1);
    chain.broadcast(first);

    assertThatThrownBy(() -> chain.broadcast(second))
        .isInstanceOf(ChainRejectedException.class)
        .hasMessageContaining("RootMismatch")
        .hasMessageContaining(second.txHash());
    // Hardhat mines the reverting transaction (status 0) before answering with the error
    assertThat(chain.awaitReceipt(second.txHash(), MINED).success()).isFalse();
    assertThat(chain.batch(5).orElseThrow().root()).isEqualTo(hash("root of batch 5"));
  }

  @Test
  void aKeyThatIsNotAnAnchorerIsRejectedAsNotAnchorer() {
    AnchorerKey stranger = randomKey();
    try (Web3AnchorChain asStranger = new Web3AnchorChain(devnet.settings(stranger))) {
      assertThatThrownBy(() -> asStranger.signAnchor(6, hash("root of batch 6"), 1, 0))
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("NotAnchorer")
          .satisfies(e -> assertThat(((ChainRejectedException) e).errorArgs())
              .containsExactly(stranger.address().toLowerHex()));
    }
    assertThat(chain.batch(6)).isEmpty();
  }

  @Test
  void aUsedNonceIsReportedAsNonceTooLow() {
    anchor(7, hash("root of batch 7"), 1);
    long used = chain.pendingNonce() - 1;
    SignedTx reuse = chain.signAnchor(8, hash("root of batch 8"), 1, used);

    assertThatThrownBy(() -> chain.broadcast(reuse))
        .isInstanceOf(NonceTooLowException.class)
        .hasMessageContaining("nonce " + used);
    assertThat(chain.batch(8)).isEmpty();
  }

  @Test
  void registersAValidatorSetWhoseDigestIsTheJavaOne() {
    ValidatorSet set = ValidatorSet.of(3, List.of(validator("a").address(),
        validator("b").address(), validator("c").address()), 2);
    assertThat(chain.validatorSetDigest(3)).isEmpty();

    TxOutcome registered = chain.registerValidatorSet(set, MINED);

    assertThat(registered.success()).isTrue();
    assertThat(chain.validatorSetDigest(3)).contains(set.digest());

    long nonce = chain.pendingNonce();
    TxOutcome again = chain.registerValidatorSet(set, MINED);
    assertThat(chain.pendingNonce()).isEqualTo(nonce); // nothing sent
    assertThat(again).isEqualTo(registered); // the original registration, from its event

    ValidatorSet other = ValidatorSet.of(3, List.of(validator("a").address()), 1);
    assertThatThrownBy(() -> chain.registerValidatorSet(other, MINED))
        .isInstanceOf(ChainRejectedException.class)
        .hasMessageContaining("already registered with another validator set");
  }

  @Test
  void onlyTheOwnerRegistersValidatorSets() {
    ValidatorSet set = ValidatorSet.of(4, List.of(validator("a").address()), 1);
    try (Web3AnchorChain asStranger = new Web3AnchorChain(devnet.settings(randomKey()))) {
      assertThatThrownBy(() -> asStranger.registerValidatorSet(set, MINED))
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("NotOwner");
    }
    assertThat(chain.validatorSetDigest(4)).isEmpty();
  }

  @Test
  void verifiesInclusionProofsOfAnAnchoredTree() {
    List<Bytes32> values = new ArrayList<>();
    for (int i = 0; i < 13; i++) {
      values.add(hash("attestation digest " + i));
    }
    StandardMerkleTree tree = StandardMerkleTree.of(values);
    anchor(9, tree.root(), tree.size());

    for (int i = 0; i < tree.size(); i++) {
      assertThat(chain.verifyInclusion(9, tree.leaf(i), tree.proof(i))).isTrue();
    }
    List<Bytes32> tampered = new ArrayList<>(tree.proof(0));
    tampered.set(1, hash("not a node"));
    assertThat(chain.verifyInclusion(9, tree.leaf(0), tampered)).isFalse();
    assertThat(chain.verifyInclusion(9, tree.leaf(1), tree.proof(0))).isFalse();
    assertThat(chain.verifyInclusion(9, tree.value(0), tree.proof(0))).isFalse(); // not the leaf hash
    assertThat(chain.verifyInclusion(9, tree.leaf(0), List.of())).isFalse();
    assertThat(chain.verifyInclusion(10, tree.leaf(0), tree.proof(0))).isFalse(); // not anchored
  }

  @Test
  void verifiesAttestationsSignedByAQuorumOfTheRegisteredEpoch() {
    List<ValidatorKey> keys = List.of(validator("v0"), validator("v1"), validator("v2"));
    ValidatorSet set = ValidatorSet.of(11, keys.stream().map(ValidatorKey::address).toList(), 2);
    chain.registerValidatorSet(set, MINED);
    AttestationDomain domain = new AttestationDomain(devnet.chainId(), devnet.contract());
    Attestation attestation = new Attestation(new JobId(hash("job 1")),
        ContentDigest.of(bytes("model")), ContentDigest.of(bytes("input")),
        ContentDigest.of(bytes("output")), PolicyText.of("QUANTIZED(0.0001)"), 11);
    Bytes32 digest = attestation.digest(domain);
    List<Signature> quorum = List.of(keys.get(0).sign(digest), keys.get(2).sign(digest));

    assertThat(chain.verifyAttestation(attestation, quorum)).isTrue();
    assertThat(chain.verifyAttestation(attestation, keys.stream().map(k -> k.sign(digest)).toList()))
        .isTrue();
    assertThat(chain.verifyAttestation(attestation, quorum.subList(0, 1))).isFalse();
    assertThat(chain.verifyAttestation(attestation, List.of(quorum.get(0), quorum.get(0))))
        .isFalse();
    assertThat(chain.verifyAttestation(attestation.withOutputDigest(ContentDigest.of(bytes("other"))),
        quorum)).isFalse();
    Signature tampered = keys.get(2).sign(hash("something else"));
    assertThat(chain.verifyAttestation(attestation, List.of(quorum.get(0), tampered))).isFalse();
    Attestation otherEpoch = new Attestation(attestation.jobId(), attestation.modelDigest(),
        attestation.inputDigest(), attestation.outputDigest(), attestation.policy(), 12);
    assertThat(chain.verifyAttestation(otherEpoch, quorum)).isFalse();

    assertThat(chain.countSigners(attestation, keys.stream().map(k -> k.sign(digest)).toList()))
        .isEqualTo(3);
    assertThat(chain.countSigners(attestation, List.of(quorum.get(0), tampered, quorum.get(0))))
        .as("a bad signature and a duplicate count for nothing").isEqualTo(1);
    assertThat(chain.countSigners(otherEpoch, quorum)).isZero();
  }

  @Test
  void aWrongChainIdIsReported() {
    ChainSettings wrong = new ChainSettings(devnet.rpcUrl(), 1, devnet.contract(),
        devnet.anchorerKey());
    try (Web3AnchorChain misconfigured = new Web3AnchorChain(wrong)) {
      assertThat(misconfigured.chainId()).isEqualTo(31337L);
      assertThatThrownBy(misconfigured::checkChainId)
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("serves chain id 31337")
          .hasMessageContaining("chain id 1 is configured");
      assertThatThrownBy(() -> misconfigured.signAnchor(12, hash("root"), 1, 0))
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("chain id 1 is configured");
      assertThatThrownBy(() -> misconfigured.batch(1))
          .isInstanceOf(ChainRejectedException.class);
    }
  }

  @Test
  void anAddressWithoutTheContractIsReported() {
    ChainSettings nowhere = new ChainSettings(devnet.rpcUrl(), devnet.chainId(),
        Address.parse("0x000000000000000000000000000000000000dEaD"), devnet.anchorerKey());
    try (Web3AnchorChain lost = new Web3AnchorChain(nowhere)) {
      assertThatThrownBy(() -> lost.batch(1))
          .isInstanceOf(ChainRejectedException.class)
          .hasMessageContaining("no VerdictAnchor at 0x000000000000000000000000000000000000dEaD");
    }
  }

  private static AnchorerKey randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    key[0] &= 0x7f; // below the group order
    key[31] |= 1; // not zero
    return AnchorerKey.fromHex(Hex.encode(key));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
