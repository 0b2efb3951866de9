package io.verdict.sharding.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Wire messages and settings: what crosses nodes is Jackson CBOR, and round-trips intact. */
class JobMessagesTest {
  private static final ActorTestKit KIT = ActorTestKit.create("JobMessagesTest");

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  private static <T> T roundTrip(T message) {
    assertThat(SerializationExtension.get(KIT.system().classicSystem()).findSerializerFor(message))
        .isInstanceOf(JacksonCborSerializer.class);
    return KIT.serializationTestKit().verifySerialization(message, false);
  }

  @Test
  void validatorProtocolRoundTripsAsCbor() {
    TestProbe<ValidatorProtocol.ExecutionResult> replyTo = KIT.createTestProbe();
    ValidatorProtocol.Execute ex = new ValidatorProtocol.Execute("0x" + "12".repeat(32),
        TestValidators.MODEL, "EXACT", 7, TestValidators.INPUTS, replyTo.ref());
    ValidatorProtocol.Execute back = roundTrip(ex);
    assertThat(back.inputs()).isEqualTo(TestValidators.INPUTS);
    assertThat(back.replyTo()).isEqualTo(replyTo.ref());
    ValidatorProtocol.Executed executed = new ValidatorProtocol.Executed("0xabc", "sha256:00",
        "0x01", TestValidators.OUTPUT_A);
    assertThat(roundTrip(executed).canonicalOutput()).isEqualTo(TestValidators.OUTPUT_A);
    assertThat(roundTrip(new ValidatorProtocol.ExecutionFailed("0xabc", "oom")).reason())
        .isEqualTo("oom");
  }

  @Test
  void jobViewRoundTripsWithOutputAndEvidence() {
    JobView.SignedVote v = new JobView.SignedVote("0xa", "sha256:b", "0xc");
    JobView view = new JobView("0x" + "12".repeat(32), JobView.Status.DISPUTED,
        new JobView.Request("mlp", "1", "sha256:a", "EXACT", "sha256:c", 3, 2, "anonymous", null,
            1L, 2L),
        List.of("0xa", "0xb"), List.of(new JobView.VoteEntry("0xa", "sha256:b")),
        List.of(new JobView.HistoryEntry(1, "JobAccepted", "x")), "sha256:b",
        TestValidators.OUTPUT_A, "{}", new JobView.Evidence("split",
        List.of(new JobView.OutputVotes("sha256:b", List.of(v))),
        List.of(new JobView.EquivocationEntry("0xa", List.of(v, v)))), null);
    assertThat(roundTrip(view)).isEqualTo(view);
  }

  @Test
  void settingsComeFromReferenceConfAndCanBeOverridden() {
    assertThat(JobSettings.fromConfig(ConfigFactory.load())).isEqualTo(JobSettings.DEFAULTS);
    JobSettings custom = JobSettings.fromConfig(ConfigFactory.parseString(
        "verdict.jobs { validator-timeout = 2s, max-escalations = 0 }")
        .withFallback(ConfigFactory.load()));
    assertThat(custom.validatorTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(custom.maxEscalations()).isZero();
    assertThat(custom.jobTimeout(0)).isEqualTo(Duration.ofSeconds(60));
    assertThat(custom.jobTimeout(1500)).isEqualTo(Duration.ofMillis(1500));
    assertThat(custom.jobTimeout(600_000)).isEqualTo(Duration.ofSeconds(60));
    assertThatThrownBy(() -> JobSettings.DEFAULTS.withSnapshotEvery(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void specValidationAndSameRequest() {
    JobSpec spec = TestValidators.spec(3, 2);
    assertThat(spec.problem()).isEmpty();
    assertThat(spec.sameRequestAs(spec.withTimeoutMillis(123))).isTrue();
    assertThat(TestValidators.spec(3, 2).sameRequestAs(spec)).isFalse();
    JobSpec badDigest = new JobSpec(spec.jobId(), null, null, "sha256:XYZ", spec.policy(),
        spec.inputDigest(), spec.inputs(), 3, 2, spec.requester(), null, 0);
    assertThat(badDigest.problem()).get().asString().contains("sha256");
    JobSpec upper = new JobSpec(spec.jobId().toUpperCase().replace("0X", "0x"), null, null,
        spec.modelDigest(), spec.policy(), spec.inputDigest(), spec.inputs(), 3, 2,
        spec.requester(), null, 0);
    assertThat(upper.problem()).get().asString().contains("lowercase");
    JobSpec noQuorum = JobSpec.of(null, null, spec.modelDigest(), spec.policy(),
        spec.inputDigest(), spec.inputs(), 3, 0, "alice", null, 0);
    assertThat(noQuorum.problem()).contains("q must be at least 1, got 0");
    byte[] inputs = spec.inputs();
    inputs[0] ^= 1;
    assertThat(spec.problem()).as("inputs are copied, not shared").isEmpty();
  }
}
