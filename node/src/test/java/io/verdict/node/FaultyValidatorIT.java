package io.verdict.node;

import static io.verdict.node.TestNodes.assertRefused;
import static io.verdict.node.TestNodes.await;
import static io.verdict.node.TestNodes.directRun;
import static io.verdict.node.TestNodes.submit;
import static io.verdict.node.TestNodes.verifiedReceipt;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.VerdictServiceClient;
import org.apache.pekko.grpc.GrpcClientSettings;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetModelRequest;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.JobEventType;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.Vote;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.sharding.job.JobIds;
import io.verdict.verification.receipt.Receipt;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The trust model on a real node: a validator that signs a wrong output never makes it into a
 * result, and validators that never answer make a job fail with a clear status instead of
 * hanging, while admission control refuses work beyond the node's limit.
 */
class FaultyValidatorIT {

    /**
     * Four validators, the first of which signs a wrong (but well-formed, validly signed) output.
     *
     * <p>Jobs use r=3, q=3 so the outcome is deterministic: with the liar in the committee no
     * quorum of three can form from the first committee, so the liar's vote is always recorded
     * (the tally is disputed only once it is in), the job escalates to the fourth validator, and
     * the three honest votes agree. The liar's vote then appears as dissenting evidence of the
     * receipt, never among its signatures.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class WrongOutputValidator {

        private Path dataDir;
        private ActorSystem<Void> clientSystem;
        private VerdictNode node;
        private TestNodes.Clients clients;
        private String liar;

        @BeforeAll
        void startNode() throws Exception {
            dataDir = TestNodes.tempDir("wrong-output-");
            clientSystem = TestNodes.clientSystem();
            node = VerdictNode.start(TestNodes.config(dataDir, """
                    verdict.validators.count = 4
                    verdict.validators.conduct = [WRONG_OUTPUT]
                    """));
            clients = TestNodes.Clients.connect(clientSystem, node);
            // ValidatorInfo lists the hosted validators in keystore order: position 0 is the liar.
            liar = await(clients.verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance()))
                    .getValidators(0).getAddress();
        }

        @AfterAll
        void stopNode() {
            stopAll(clients, node, clientSystem, dataDir);
        }

        @Test
        void aLyingCommitteeMemberIsOutvotedAndItsVoteKeptAsDissentingEvidence() {
            int withLiar = 0;
            int withoutLiar = 0;
            // Keys (so committees) differ on every run: go on until both kinds of committee were seen.
            for (long seed = 1; seed <= 60 && (withLiar < 2 || withoutLiar < 1); seed++) {
                NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, seed);
                SubmitResponse response = await(clients.verdict().submit(
                        submit("mlp", inputs).toBuilder().setR(3).setQ(3).build()));
                Job job = response.getJob();
                assertThat(job.getStatus()).as("job %s: %s", job.getJobId(), job.getFailureReason())
                        .isEqualTo(JobStatus.JOB_STATUS_AGREED);
                Receipt receipt = verifiedReceipt(job.getReceiptJson());
                assertThat(Base64.getDecoder().decode(receipt.output())).as("agreed output vs. a direct run")
                        .isEqualTo(AgreementPolicy.EXACT.canonicalise(directRun(demoMlp(dataDir), inputs)).bytes());
                assertThat(receipt.signatures()).hasSize(3)
                        .extracting(Receipt.SignatureEntry::validator).doesNotContain(liar);

                List<JobEventType> events = history(job.getJobId());
                if (!receipt.committee().contains(liar)) {
                    withoutLiar++;
                    assertThat(receipt.committee()).hasSize(3);
                    assertThat(receipt.evidence().dissenting()).isEmpty();
                    assertThat(events).doesNotContain(JobEventType.JOB_EVENT_TYPE_ESCALATED);
                    continue;
                }
                withLiar++;
                assertThat(receipt.committee()).as("committee after escalation").hasSize(4);
                assertThat(receipt.evidence().dissenting()).singleElement().satisfies(vote -> {
                    assertThat(vote.validator()).isEqualTo(liar);
                    assertThat(vote.outputDigest()).isNotEqualTo(receipt.attestation().outputDigest());
                });
                assertThat(job.getVerdict().getVotesList())
                        .filteredOn(v -> v.getValidator().equals(liar))
                        .singleElement().extracting(Vote::getOutputDigest)
                        .isNotEqualTo(job.getOutputDigest());
                assertThat(job.getVerdict().getVotesList())
                        .filteredOn(v -> v.getOutputDigest().equals(job.getOutputDigest())).hasSize(3);
                assertThat(events).contains(JobEventType.JOB_EVENT_TYPE_ESCALATED)
                        .last().isEqualTo(JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED);
            }
            assertThat(withLiar).as("jobs whose committee held the lying validator").isGreaterThanOrEqualTo(2);
            assertThat(withoutLiar).as("jobs whose committee did not").isPositive();
        }

        @Test
        void withTheDefaultQuorumTheLiarIsNeverASigner() {
            // r=3, q=2: two honest members may agree before the liar's vote arrives, so all that is
            // certain is the outcome and that the liar signed nothing in the receipt.
            for (long seed = 1000; seed < 1010; seed++) {
                NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 2, seed);
                Job job = await(clients.verdict().submit(submit("mlp", inputs))).getJob();
                assertThat(job.getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
                Receipt receipt = verifiedReceipt(job.getReceiptJson());
                assertThat(receipt.signatures()).extracting(Receipt.SignatureEntry::validator).doesNotContain(liar);
                assertThat(receipt.evidence().dissenting()).allSatisfy(v -> assertThat(v.validator()).isEqualTo(liar));
            }
        }

        private List<JobEventType> history(String jobId) {
            GetJobResponse r = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
            return r.getEventsList().stream().map(JobEvent::getType).toList();
        }
    }

    /**
     * Three validators that never answer, a one-second validator timeout, a three-second job
     * deadline, and room for one unfinished job at a time.
     */
    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class SilentValidators {

        private Path dataDir;
        private ActorSystem<Void> clientSystem;
        private VerdictNode node;
        private TestNodes.Clients clients;
        private String mlpDigest;

        @BeforeAll
        void startNode() throws Exception {
            dataDir = TestNodes.tempDir("silent-");
            clientSystem = TestNodes.clientSystem();
            node = VerdictNode.start(TestNodes.config(dataDir, """
                    verdict.validators.count = 3
                    verdict.validators.conduct = [SILENT, SILENT, SILENT]
                    verdict.jobs.validator-timeout = 1s
                    verdict.jobs.max-job-timeout = 3s
                    verdict.admission.max-in-flight = 1
                    """));
            clients = TestNodes.Clients.connect(clientSystem, node);
            mlpDigest = await(clients.verdict().getModel(GetModelRequest.newBuilder().setModel("mlp").build()))
                    .getModel().getVersions(0).getModelDigest();
        }

        @AfterAll
        void stopNode() {
            stopAll(clients, node, clientSystem, dataDir);
        }

        @Test
        void aJobNobodyAnswersFailsAsUnavailableAndSaysWhy() {
            NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 1);
            String jobId = jobId(inputs, 3, 2);

            // Each of the three members times out after 1 s; the pool has nobody left to ask, well
            // before the 3 s deadline.
            assertRefused(clients.verdict().submit(submit("mlp", inputs)), Status.Code.UNAVAILABLE,
                    "no validators available");

            GetJobResponse job = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
            assertThat(job.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_FAILED);
            assertThat(job.getJob().getFailureReason()).contains("no validators available");
            assertThat(job.getEventsList()).extracting(JobEvent::getType)
                    .filteredOn(JobEventType.JOB_EVENT_TYPE_VALIDATOR_TIMED_OUT::equals).hasSize(3);
            assertThat(job.getEventsList()).last().extracting(JobEvent::getType)
                    .isEqualTo(JobEventType.JOB_EVENT_TYPE_FAILED);
        }

        @Test
        void whenTheCallersWaitEndsFirstSubmitReturnsTheRunningJobWhichCarriesOn() {
            NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 4);
            SubmitResponse response = await(clients.verdict().submit(submit("mlp", inputs).toBuilder()
                    .setTimeout(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000)).build()));
            assertThat(response.getJob().getStatus()).isIn(JobStatus.JOB_STATUS_ACCEPTED, JobStatus.JOB_STATUS_EXECUTING);
            assertThat(response.getJob().getReceiptJson()).isEmpty();
            String jobId = response.getJob().getJobId();
            assertThat(jobId).isEqualTo(jobId(inputs, 3, 2));
            // The job carries on after the call returned, to its own end (here: nobody answers).
            TestNodes.awaitCondition("the job becomes final", Duration.ofSeconds(15), () -> await(clients.verdict()
                    .getJob(GetJobRequest.newBuilder().setJobId(jobId).build())).getJob().getStatus()
                    == JobStatus.JOB_STATUS_FAILED);
        }

        @Test
        void theServerAnswersWithinTheCallersDeadlineWithTheRunningJob() {
            GrpcClientSettings shortDeadline = GrpcClientSettings
                    .connectToServiceAt("127.0.0.1", node.grpcPort(), clientSystem)
                    .withTls(false)
                    .withDeadline(Duration.ofSeconds(2));
            VerdictServiceClient hurried = VerdictServiceClient.create(shortDeadline, clientSystem);
            try {
                // r=1: the silent members are tried one after the other, so the job runs ~3 s.
                NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 5);
                long started = System.nanoTime();
                SubmitResponse response = await(hurried.submit(submit("mlp", inputs).toBuilder().setR(1).setQ(1).build()));
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                assertThat(response.getJob().getStatus())
                        .isIn(JobStatus.JOB_STATUS_ACCEPTED, JobStatus.JOB_STATUS_EXECUTING);
                assertThat(took).isLessThan(Duration.ofSeconds(2));
            } finally {
                await(hurried.close());
            }
        }

        @Test
        void aSecondJobIsRefusedWhileTheOnlyAdmittedOneIsPending() {
            // r=1: the members are tried one after the other, so this job stays pending ~3 s.
            NamedTensors first = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 2);
            String firstId = jobId(first, 1, 1);
            CompletionStage<SubmitResponse> pending = clients.verdict().submit(
                    submit("mlp", first).toBuilder().setR(1).setQ(1).build());
            TestNodes.awaitCondition("the first job is accepted", Duration.ofSeconds(10), () -> exists(firstId));

            SubmitRequest second = submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 3));
            assertRefused(clients.verdict().submit(second), Status.Code.RESOURCE_EXHAUSTED, "limit of 1");

            // The first job ends on its deadline or when its last member times out, whichever the
            // node sees first; either is a clear, final failure.
            Status status = failure(pending);
            assertThat(status.getCode()).isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.UNAVAILABLE);
            assertThat(status.getDescription()).containsAnyOf("deadline exceeded", "no validators available");
            Job job = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(firstId).build())).getJob();
            assertThat(job.getStatus()).isEqualTo(JobStatus.JOB_STATUS_FAILED);

            // With the slot free again, the next job is admitted (and fails for want of validators).
            assertRefused(clients.verdict().submit(second), Status.Code.UNAVAILABLE, "no validators available");
        }

        private String jobId(NamedTensors inputs, int r, int q) {
            return JobIds.derive(mlpDigest, "EXACT", inputs.digest().toString(), r, q, "anonymous", null);
        }

        private boolean exists(String jobId) {
            try {
                await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
                return true;
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    return false;
                }
                throw e;
            }
        }

        private Status failure(CompletionStage<?> call) {
            try {
                Object value = await(call);
                throw new AssertionError("expected a failure, got " + value);
            } catch (StatusRuntimeException e) {
                return e.getStatus();
            }
        }
    }

    private static Path demoMlp(Path dataDir) {
        return dataDir.resolve("demo-models").resolve("mlp");
    }

    private static void stopAll(TestNodes.Clients clients, VerdictNode node, ActorSystem<Void> clientSystem,
                                Path dataDir) {
        if (clients != null) {
            clients.close();
        }
        if (node != null) {
            node.stop();
        }
        TestNodes.terminate(clientSystem);
        TestNodes.deleteRecursively(dataDir);
    }
}
