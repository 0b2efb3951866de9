package io.verdict.actors.validator;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.actors.executor.ModelExecutor;
import io.verdict.actors.executor.ModelUnavailable;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.CanonicalOutput;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.sharding.job.ValidatorProtocol.Executed;
import io.verdict.sharding.job.ValidatorProtocol.ExecutionFailed;
import io.verdict.sharding.job.ValidatorProtocol.ExecutionResult;
import io.verdict.verification.Address;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.Signature;
import io.verdict.verification.keys.ValidatorKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validators running the real demo MLP through a real {@link ModelExecutor}: what an honest
 * validator signs and replies, that honest validators agree, and how the non-honest conducts and
 * bad requests show up to the job entity.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ValidatorTest {

    private static final AttestationDomain DOMAIN =
            new AttestationDomain(31337, Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    private static final String POLICY = "EXACT";
    private static final long EPOCH = 4;
    private static final String JOB = "0x" + "3c".repeat(32);

    @JUnit5TestKit
    ActorTestKit kit = new JUnit5TestKitBuilder().withName("ValidatorTest").build();

    @TempDir
    static Path root;

    static Path mlpDir;
    static ModelDigest mlp;
    static ModelExecutor executor;
    static NamedTensors input;

    @BeforeAll
    static void exportModelAndStartExecutor() {
        mlpDir = DemoModels.ensureExported(root.resolve("models"), DemoModels.Kind.MLP);
        mlp = ArtifactManifest.scan(mlpDir).digest();
        executor = executor(new ModelExecutor.Settings(2, 32));
        input = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 11L);
    }

    @AfterAll
    static void closeExecutor() {
        executor.close();
    }

    private static ModelExecutor executor(ModelExecutor.Settings settings) {
        return new ModelExecutor(new TensorFlowEngine(), d -> {
            if (d.equals(mlp)) {
                return mlpDir;
            }
            throw new ModelUnavailable(d);
        }, settings);
    }

    private ActorRef<ValidatorProtocol.Execute> spawn(ValidatorKey key, Validator.Conduct conduct, ModelExecutor on) {
        return kit.spawn(Validator.create(key, DOMAIN, on, conduct));
    }

    private static ValidatorProtocol.Execute execute(String model, String policy, byte[] inputs,
                                                     ActorRef<ExecutionResult> replyTo) {
        return new ValidatorProtocol.Execute(JOB, model, policy, EPOCH, inputs, replyTo);
    }

    /** What the validator was asked to attest, with the output digest it claims. */
    private static Attestation attestationOf(ValidatorProtocol.Execute request, String outputDigest) {
        return new Attestation(JobId.parse(request.jobId()), ContentDigest.parse(request.modelDigest()),
                ContentDigest.of(request.inputs()), ContentDigest.parse(outputDigest),
                PolicyText.of(request.policy()), request.epoch());
    }

    private Executed executedBy(ValidatorKey key, Validator.Conduct conduct, ValidatorProtocol.Execute request,
                                TestProbe<ExecutionResult> probe) {
        spawn(key, conduct, executor).tell(request);
        ExecutionResult result = probe.receiveMessage(Duration.ofSeconds(30));
        assertThat(result).as("answer of %s", conduct).isInstanceOf(Executed.class);
        return (Executed) result;
    }

    private static CanonicalOutput direct() {
        try (LoadedModel model = new TensorFlowEngine().load(mlpDir, mlp)) {
            return AgreementPolicy.parse(POLICY).canonicalise(model.run(input));
        }
    }

    @Test
    void honestValidatorSignsWhatItComputedForTheRequestItGot() {
        ValidatorKey key = ValidatorKey.generate();
        TestProbe<ExecutionResult> probe = kit.createTestProbe();
        ValidatorProtocol.Execute request = execute(mlp.toString(), POLICY, input.canonicalBytes(), probe.ref());

        Executed executed = executedBy(key, Validator.Conduct.HONEST, request, probe);

        CanonicalOutput expected = direct();
        assertThat(executed.validator()).isEqualTo(key.address().toString());
        assertThat(executed.canonicalOutput()).isEqualTo(expected.bytes());
        assertThat(ContentDigest.of(executed.canonicalOutput()).toString()).isEqualTo(executed.outputDigest());
        assertThat(executed.outputDigest()).isEqualTo(expected.digest().toString());

        Attestation claimed = attestationOf(request, executed.outputDigest());
        assertThat(claimed.inputDigest().toString()).isEqualTo(input.digest().toString());
        Vote vote = new Vote(claimed, key.address(), Signature.parse(executed.signature()));
        assertThat(vote.recoverSigner(DOMAIN)).contains(key.address());
        assertThat(vote.verify(DOMAIN)).isTrue();

        // Every field is covered by the signature: change one and the signer is someone else.
        Vote otherEpoch = new Vote(new Attestation(claimed.jobId(), claimed.modelDigest(), claimed.inputDigest(),
                claimed.outputDigest(), claimed.policy(), EPOCH + 1), key.address(), vote.signature());
        assertThat(otherEpoch.verify(DOMAIN)).isFalse();
        Vote otherInput = new Vote(new Attestation(claimed.jobId(), claimed.modelDigest(),
                ContentDigest.of("other".getBytes(StandardCharsets.UTF_8)), claimed.outputDigest(), claimed.policy(),
                EPOCH), key.address(), vote.signature());
        assertThat(otherInput.verify(DOMAIN)).isFalse();
        AttestationDomain otherChain = new AttestationDomain(1, DOMAIN.verifyingContract());
        assertThat(vote.verify(otherChain)).isFalse();
    }

    @Test
    void honestValidatorsWithDifferentKeysAgreeOnTheOutput() {
        TestProbe<ExecutionResult> probe = kit.createTestProbe();
        ValidatorProtocol.Execute request = execute(mlp.toString(), POLICY, input.canonicalBytes(), probe.ref());
        ValidatorKey a = ValidatorKey.generate();
        ValidatorKey b = ValidatorKey.generate();

        Executed fromA = executedBy(a, Validator.Conduct.HONEST, request, probe);
        Executed fromB = executedBy(b, Validator.Conduct.HONEST, request, probe);

        assertThat(fromA.outputDigest()).isEqualTo(fromB.outputDigest());
        assertThat(fromA.signature()).isNotEqualTo(fromB.signature());
        assertThat(new Vote(attestationOf(request, fromB.outputDigest()), b.address(),
                Signature.parse(fromB.signature())).verify(DOMAIN)).isTrue();
    }

    @Test
    void wrongOutputValidatorSignsADifferentButSelfConsistentDigest() {
        TestProbe<ExecutionResult> probe = kit.createTestProbe();
        ValidatorProtocol.Execute request = execute(mlp.toString(), POLICY, input.canonicalBytes(), probe.ref());
        ValidatorKey liar = ValidatorKey.generate();

        Executed lie = executedBy(liar, Validator.Conduct.WRONG_OUTPUT, request, probe);

        assertThat(lie.outputDigest()).isNotEqualTo(direct().digest().toString());
        assertThat(ContentDigest.of(lie.canonicalOutput()).toString()).isEqualTo(lie.outputDigest());
        Vote vote = new Vote(attestationOf(request, lie.outputDigest()), liar.address(),
                Signature.parse(lie.signature()));
        assertThat(vote.verify(DOMAIN)).as("a consistent liar's vote is validly signed").isTrue();
    }

    @Test
    void silentValidatorNeverAnswers() {
        TestProbe<ExecutionResult> probe = kit.createTestProbe();
        spawn(ValidatorKey.generate(), Validator.Conduct.SILENT, executor)
                .tell(execute(mlp.toString(), POLICY, input.canonicalBytes(), probe.ref()));
        probe.expectNoMessage(Duration.ofMillis(500));
    }

    @Test
    void malformedRequestsFailWithTheReason() {
        TestProbe<ExecutionResult> probe = kit.createTestProbe();
        ValidatorKey key = ValidatorKey.generate();
        ActorRef<ValidatorProtocol.Execute> validator = spawn(key, Validator.Conduct.HONEST, executor);
        byte[] inputs = input.canonicalBytes();

        validator.tell(execute(mlp.toString(), "MOSTLY_EQUAL", inputs, probe.ref()));
        assertThat(failure(probe, key).reason()).contains("malformed request").contains("agreement policy")
                .contains("MOSTLY_EQUAL");

        validator.tell(execute(mlp.toString(), POLICY, "not tensors".getBytes(StandardCharsets.UTF_8), probe.ref()));
        assertThat(failure(probe, key).reason()).contains("malformed request").contains("named tensors");

        validator.tell(execute("sha256:nothex", POLICY, inputs, probe.ref()));
        assertThat(failure(probe, key).reason()).contains("malformed request");

        ModelDigest unknown = ModelDigest.parse("sha256:" + "ab".repeat(32));
        validator.tell(execute(unknown.toString(), POLICY, inputs, probe.ref()));
        assertThat(failure(probe, key).reason()).contains(unknown.toString()).contains("not available");
    }

    @Test
    void saturatedExecutorIsAFailureNotASilence() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ModelExecutor busy = executor(new ModelExecutor.Settings(1, 0))) {
            CompletableFuture<Boolean> blocker = busy.submit(() -> await(release)).toCompletableFuture();
            TestProbe<ExecutionResult> probe = kit.createTestProbe();
            ValidatorKey key = ValidatorKey.generate();

            spawn(key, Validator.Conduct.HONEST, busy)
                    .tell(execute(mlp.toString(), POLICY, input.canonicalBytes(), probe.ref()));

            assertThat(failure(probe, key).reason()).contains("saturated");
            release.countDown();
            assertThat(blocker.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static ExecutionFailed failure(TestProbe<ExecutionResult> probe, ValidatorKey key) {
        ExecutionResult result = probe.receiveMessage(Duration.ofSeconds(30));
        assertThat(result).isInstanceOf(ExecutionFailed.class);
        assertThat(result.validator()).isEqualTo(key.address().toString());
        return (ExecutionFailed) result;
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
