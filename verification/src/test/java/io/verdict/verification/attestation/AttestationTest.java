package io.verdict.verification.attestation;

import static io.verdict.verification.Fixtures.DOMAIN;
import static io.verdict.verification.Fixtures.OUT_A;
import static io.verdict.verification.Fixtures.OUT_B;
import static io.verdict.verification.Fixtures.attestation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Address;
import io.verdict.verification.Fixtures;
import io.verdict.verification.MalformedValueException;
import io.verdict.verification.TestKeys;
import io.verdict.verification.eip712.Eip712;
import io.verdict.verification.keys.ValidatorKey;
import org.junit.jupiter.api.Test;

class AttestationTest {

  @Test
  void typeStringIsExactlyTheAgreedOne() {
    assertThat(Attestation.TYPE).isEqualTo("Attestation(bytes32 jobId,bytes32 modelDigest,"
        + "bytes32 inputDigest,bytes32 outputDigest,string policy,uint64 epoch)");
    assertThat(Attestation.TYPES.encodeType("Attestation")).isEqualTo(Attestation.TYPE);
    assertThat(Attestation.TYPES.typeHash("Attestation")).isEqualTo(Attestation.TYPE_HASH);
  }

  @Test
  void directHashStructEqualsTheGenericEncoder() {
    Attestation a = attestation(OUT_A);
    assertThat(a.hashStruct()).isEqualTo(Attestation.TYPES.hashStruct("Attestation",
        a.toMessage()));
    assertThat(a.digest(DOMAIN)).isEqualTo(Eip712.digest(DOMAIN.toEip712(), Attestation.TYPES,
        "Attestation", a.toMessage()));
  }

  @Test
  void domainIsVerdictVersionOne() {
    assertThat(DOMAIN.toEip712().name()).isEqualTo("Verdict");
    assertThat(DOMAIN.toEip712().version()).isEqualTo("1");
    assertThatThrownBy(() -> new AttestationDomain(0, DOMAIN.verifyingContract()))
        .isInstanceOf(MalformedValueException.class);
  }

  @Test
  void signedVoteRecoversItsValidator() {
    ValidatorKey key = TestKeys.fromSeed("validator-0");
    Vote vote = Vote.sign(key, DOMAIN, attestation(OUT_A));
    assertThat(vote.validator()).isEqualTo(key.address());
    assertThat(vote.verify(DOMAIN)).isTrue();
    assertThat(vote.recoverSigner(DOMAIN)).contains(key.address());
  }

  @Test
  void everyFieldAndTheDomainAreBound() {
    ValidatorKey key = TestKeys.fromSeed("validator-0");
    Vote vote = Vote.sign(key, DOMAIN, attestation(OUT_A));
    Attestation a = vote.attestation();
    Attestation[] changed = {
        a.withOutputDigest(OUT_B),
        new Attestation(a.jobId(), a.inputDigest(), a.inputDigest(), a.outputDigest(),
            a.policy(), a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), a.modelDigest(), a.outputDigest(),
            a.policy(), a.epoch()),
        new Attestation(io.verdict.verification.JobId.of(new byte[32]), a.modelDigest(),
            a.inputDigest(), a.outputDigest(), a.policy(), a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), a.inputDigest(), a.outputDigest(),
            io.verdict.verification.PolicyText.of("EXACT"), a.epoch()),
        new Attestation(a.jobId(), a.modelDigest(), a.inputDigest(), a.outputDigest(),
            a.policy(), a.epoch() + 1)};
    for (Attestation other : changed) {
      assertThat(new Vote(other, key.address(), vote.signature()).verify(DOMAIN)).isFalse();
    }
    AttestationDomain otherChain = new AttestationDomain(1, DOMAIN.verifyingContract());
    AttestationDomain otherContract = new AttestationDomain(DOMAIN.chainId(),
        Address.parse("0x0000000000000000000000000000000000000001"));
    assertThat(vote.verify(otherChain)).isFalse();
    assertThat(vote.verify(otherContract)).isFalse();
  }

  @Test
  void aVoteClaimingAnotherValidatorDoesNotVerify() {
    Vote vote = Vote.sign(TestKeys.fromSeed("validator-0"), DOMAIN, Fixtures.attestation(OUT_A));
    Vote forged = new Vote(vote.attestation(), TestKeys.fromSeed("validator-1").address(),
        vote.signature());
    assertThat(forged.verify(DOMAIN)).isFalse();
  }
}
