package io.verdict.verification.attestation;

import static io.verdict.verification.Fixtures.DOMAIN;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.Fixtures;
import io.verdict.verification.Hex;
import io.verdict.verification.NodeCrossCheck;
import io.verdict.verification.TestKeys;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attestations signed in Java are recovered by ethers v6 {@code verifyTypedData}, ethers' digest
 * equals ours, an attestation signed by ethers recovers in Java, and the validator-set digest
 * equals keccak256 of ethers' ABI encoding.
 */
class AttestationEthersCrossCheckTest {

  static Map<String, Object> domainJson() {
    return Map.of("name", "Verdict", "version", "1", "chainId", DOMAIN.chainId(),
        "verifyingContract", DOMAIN.verifyingContract().toString());
  }

  static Map<String, Object> messageJson(Attestation a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("jobId", a.jobId().toString());
    m.put("modelDigest", a.modelDigest().value().toHex());
    m.put("inputDigest", a.inputDigest().value().toHex());
    m.put("outputDigest", a.outputDigest().value().toHex());
    m.put("policy", a.policy().value());
    m.put("epoch", Long.toString(a.epoch()));
    return m;
  }

  static List<Map<String, String>> typeJson() {
    return Attestation.TYPES.fields("Attestation").stream()
        .map(f -> Map.of("name", f.name(), "type", f.type())).toList();
  }

  @Test
  void ethersRecoversJavaSignedAttestationsAndJavaRecoversEthersSigned() {
    List<ValidatorKey> keys = TestKeys.validators(4);
    List<Map<String, Object>> messages = new ArrayList<>();
    List<Attestation> attestations = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      Attestation a = new Attestation(Fixtures.JOB, Fixtures.MODEL, Fixtures.INPUT,
          ContentDigest.of(Fixtures.bytes("out-" + i)),
          io.verdict.verification.PolicyText.of(i % 2 == 0 ? "TOPK(5)" : "EXACT"),
          i == 3 ? Long.MAX_VALUE : i);
      attestations.add(a);
      Vote vote = Vote.sign(keys.get(i), DOMAIN, a);
      messages.add(Map.of("message", messageJson(a), "signature", vote.signature().toHex()));
    }
    Attestation toSign = Fixtures.attestation(Fixtures.OUT_A);
    String ethersKey = Hex.encodePrefixed(TestKeys.privateKeyOf("ethers-signer"));

    JsonNode out = NodeCrossCheck.run("eip712", Map.of(
        "domain", domainJson(),
        "types", Map.of("Attestation", typeJson()),
        "primaryType", "Attestation",
        "messages", messages,
        "sign", Map.of("privateKey", ethersKey, "message", messageJson(toSign))));

    assertThat(out.get("domainSeparator").asText()).isEqualTo(DOMAIN.separator().toHex());
    for (int i = 0; i < keys.size(); i++) {
      assertThat(out.at("/results/" + i + "/hash").asText())
          .isEqualTo(attestations.get(i).digest(DOMAIN).toHex());
      assertThat(out.at("/results/" + i + "/recovered").asText())
          .isEqualTo(keys.get(i).address().toString());
    }
    Signature ethersSig = Signature.parse(out.at("/signed/signature").asText());
    assertThat(ethersSig.recover(toSign.digest(DOMAIN)).toString())
        .isEqualTo(out.at("/signed/address").asText())
        .isEqualTo(TestKeys.fromSeed("ethers-signer").address().toString());
    // both sides use RFC 6979 with low s: byte-identical signatures
    assertThat(ethersSig).isEqualTo(TestKeys.fromSeed("ethers-signer").sign(
        toSign.digest(DOMAIN)));
  }

  @Test
  void validatorSetDigestIsKeccakOfEthersAbiEncoding() {
    List<ValidatorSet> sets = List.of(
        ValidatorSet.of(0, TestKeys.validators(1).stream().map(ValidatorKey::address).toList(), 1),
        ValidatorSet.of(7, TestKeys.validators(5).stream().map(ValidatorKey::address).toList(), 3),
        ValidatorSet.of(Long.MAX_VALUE, TestKeys.validators(3).stream()
            .map(ValidatorKey::address).toList(), 2));
    List<Map<String, Object>> json = sets.stream().map(s -> Map.<String, Object>of(
        "epoch", Long.toString(s.epoch()), "threshold", s.threshold(),
        "members", s.members().stream().map(Object::toString).toList())).toList();
    JsonNode out = NodeCrossCheck.run("abi", Map.of("sets", json));
    for (int i = 0; i < sets.size(); i++) {
      assertThat(out.at("/digests/" + i).asText()).isEqualTo(sets.get(i).digest().toHex());
    }
  }
}
