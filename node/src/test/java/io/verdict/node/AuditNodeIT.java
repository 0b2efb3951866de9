package io.verdict.node;

import static io.verdict.node.TestNodes.assertRefused;
import static io.verdict.node.TestNodes.await;
import static io.verdict.node.TestNodes.submit;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.verdict.api.v1.AuditServiceClient;
import io.verdict.api.v1.AuditStatusRequest;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.AuditedJob;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetModelRequest;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ModelHistoryRequest;
import io.verdict.api.v1.ModelHistoryResponse;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.ProjectionProgress;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.inference.demo.DemoModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit read side of a real node on the embedded H2 journal, over gRPC: agreed jobs on two
 * models and one that fails are found by every filter of ListJobs, newest first and page by page,
 * with what GetJob says about them; the demo models' history; bad filters are INVALID_ARGUMENT;
 * and after a restart the projections resume from their stored offsets (nothing is applied twice).
 */
class AuditNodeIT {

    /** Position 0 never answers: jobs of r=4, q=4 cannot reach a quorum and fail. */
    static final String SETTINGS = """
            verdict.validators.count = 4
            verdict.validators.conduct = [SILENT]
            verdict.jobs.validator-timeout = 1s
            verdict.jobs.max-job-timeout = 5s
            """;

    private static Path dataDir;
    private static ActorSystem<Void> clientSystem;

    @BeforeAll
    static void setUp() {
        dataDir = TestNodes.tempDir("audit-");
        clientSystem = TestNodes.clientSystem();
    }

    @AfterAll
    static void tearDown() {
        TestNodes.terminate(clientSystem);
        TestNodes.deleteRecursively(dataDir);
    }

    static AuditServiceClient auditClient(ActorSystem<Void> clientSystem, VerdictNode node) {
        return AuditServiceClient.create(GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcPort(),
                clientSystem).withTls(false).withDeadline(TestNodes.CALL_DEADLINE), clientSystem);
    }

    static ListJobsResponse list(AuditServiceClient audit, ListJobsRequest.Builder request) {
        return await(audit.listJobs(request.build()));
    }

    static List<String> ids(AuditServiceClient audit, ListJobsRequest.Builder request) {
        return list(audit, request).getJobsList().stream().map(AuditedJob::getJobId).toList();
    }

    /** Waits until the audit log lists {@code count} jobs, all final. */
    static void awaitProjected(AuditServiceClient audit, int count) {
        TestNodes.awaitCondition(count + " final jobs in the audit log", Duration.ofSeconds(60), () -> {
            List<AuditedJob> jobs = list(audit, ListJobsRequest.newBuilder()).getJobsList();
            return jobs.size() == count
                    && jobs.stream().noneMatch(j -> j.getStatus() == JobStatus.JOB_STATUS_ACCEPTED);
        });
    }

    static long millis(Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }

    @Test
    void everyFilterFindsTheJobsANodeRanAndTheProjectionsResumeAfterARestart() throws Exception {
        List<Job> jobs = new ArrayList<>();
        String failedId;
        VerdictNode node = VerdictNode.start(TestNodes.config(dataDir, SETTINGS));
        TestNodes.Clients clients = TestNodes.Clients.connect(clientSystem, node);
        AuditServiceClient audit = auditClient(clientSystem, node);
        try {
            jobs.add(agreed(clients, "mlp", DemoModels.Kind.MLP, 1));
            jobs.add(agreed(clients, "cnn", DemoModels.Kind.CNN, 2));
            jobs.add(agreed(clients, "mlp@1", DemoModels.Kind.MLP, 3));
            // r = q = 4 includes the silent validator, and nobody is left to replace it.
            assertRefused(clients.verdict().submit(submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 4))
                    .toBuilder().setR(4).setQ(4).build()), Status.Code.UNAVAILABLE);
            awaitProjected(audit, 4);

            List<AuditedJob> failed = list(audit, ListJobsRequest.newBuilder()
                    .setStatus(JobStatus.JOB_STATUS_FAILED)).getJobsList();
            assertThat(failed).hasSize(1);
            failedId = failed.get(0).getJobId();
            Job failedJob = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(failedId).build()))
                    .getJob();
            assertThat(failed.get(0).getFailureReason()).isEqualTo(failedJob.getFailureReason()).isNotEmpty();
            assertThat(failed.get(0).getR()).isEqualTo(4);
            jobs.add(failedJob);

            // Newest first, as the jobs' own acceptance times order them.
            List<Job> newestFirst = new ArrayList<>(jobs);
            newestFirst.sort(Comparator.comparing((Job j) -> millis(j.getAcceptedAt()))
                    .thenComparing(Job::getJobId).reversed());
            List<String> all = newestFirst.stream().map(Job::getJobId).toList();
            assertThat(ids(audit, ListJobsRequest.newBuilder())).isEqualTo(all);

            String mlp1 = jobs.get(0).getJobId();
            String cnn = jobs.get(1).getJobId();
            String mlp3 = jobs.get(2).getJobId();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp")))
                    .containsExactlyElementsOf(all.stream().filter(id -> !id.equals(cnn)).toList());
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("cnn"))).containsExactly(cnn);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp").setModelVersion("1"))).hasSize(3);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp").setModelVersion("2"))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setRequester("anonymous"))).isEqualTo(all);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setRequester("somebody-else"))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_AGREED)))
                    .containsExactlyInAnyOrder(mlp1, cnn, mlp3);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_ACCEPTED))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_DISPUTED))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp")
                    .setStatus(JobStatus.JOB_STATUS_AGREED))).containsExactlyInAnyOrder(mlp1, mlp3);
            // From the cnn job (inclusive) to the third job (exclusive).
            assertThat(ids(audit, ListJobsRequest.newBuilder().setAcceptedFrom(jobs.get(1).getAcceptedAt())
                    .setAcceptedTo(jobs.get(2).getAcceptedAt()))).containsExactly(cnn);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setAcceptedFrom(jobs.get(2).getAcceptedAt())))
                    .containsExactlyInAnyOrder(mlp3, failedId);

            // One job per page, every job once.
            List<String> paged = new ArrayList<>();
            String token = "";
            do {
                ListJobsResponse page = list(audit, ListJobsRequest.newBuilder().setPageSize(1).setPageToken(token));
                page.getJobsList().forEach(j -> paged.add(j.getJobId()));
                token = page.getNextPageToken();
            } while (!token.isEmpty() && paged.size() < 10);
            assertThat(paged).isEqualTo(all);

            // What the audit log says about a job is what the job says about itself.
            Job first = jobs.get(0);
            AuditedJob audited = list(audit, ListJobsRequest.newBuilder().setModel("mlp")).getJobsList().stream()
                    .filter(j -> j.getJobId().equals(mlp1)).findFirst().orElseThrow();
            assertThat(audited.getModel()).isEqualTo(first.getModel());
            assertThat(audited.getInputDigest()).isEqualTo(first.getInputDigest());
            assertThat(audited.getAgreementPolicy()).isEqualTo(first.getAgreementPolicy());
            assertThat(audited.getOutputDigest()).isEqualTo(first.getOutputDigest()).startsWith("sha256:");
            assertThat(audited.getAcceptedAt()).isEqualTo(first.getAcceptedAt());
            assertThat(audited.getFinishedAt()).isEqualTo(first.getFinishedAt());
            assertThat(audited.getR()).isEqualTo(first.getR());
            assertThat(audited.getQ()).isEqualTo(first.getQ());
            assertThat(audited.getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);

            assertModelHistory(clients, audit);
            assertBadRequestsAreRefused(audit);

            AuditStatusResponse status = await(audit.auditStatus(AuditStatusRequest.getDefaultInstance()));
            assertThat(status.getStore()).isEqualTo("h2");
            assertThat(status.getProjectionsList()).extracting(ProjectionProgress::getName)
                    .containsExactlyInAnyOrder("audit-jobs", "audit-models");
            ProjectionProgress jobsProgress = progress(status, "audit-jobs");
            assertThat(jobsProgress.getTag()).isEqualTo("verdict-job");
            assertThat(jobsProgress.getEventsHandled()).isEqualTo(8);
            assertThat(jobsProgress.getOffset()).isNotEmpty();
            // one VersionPublished per demo model: mlp, cnn, mlp-onnx, cnn-onnx
            assertThat(progress(status, "audit-models").getEventsHandled()).isEqualTo(4);
        } finally {
            await(audit.close());
            clients.close();
            node.stop();
        }

        node = VerdictNode.start(TestNodes.config(dataDir, SETTINGS));
        clients = TestNodes.Clients.connect(clientSystem, node);
        audit = auditClient(clientSystem, node);
        try {
            Job fifth = agreed(clients, "mlp", DemoModels.Kind.MLP, 5);
            awaitProjected(audit, 5);
            List<String> afterRestart = ids(audit, ListJobsRequest.newBuilder());
            assertThat(afterRestart).hasSize(5).doesNotHaveDuplicates().first().isEqualTo(fifth.getJobId());
            assertThat(afterRestart).contains(failedId);
            // The projections went on from their offsets: only the new job's two events were handled.
            AuditStatusResponse status = await(audit.auditStatus(AuditStatusRequest.getDefaultInstance()));
            assertThat(progress(status, "audit-jobs").getEventsHandled()).isEqualTo(2);
            assertThat(progress(status, "audit-models").getEventsHandled()).isZero();
        } finally {
            await(audit.close());
            clients.close();
            node.stop();
        }
    }

    static ProjectionProgress progress(AuditStatusResponse status, String name) {
        return status.getProjectionsList().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow();
    }

    static Job agreed(TestNodes.Clients clients, String model, DemoModels.Kind kind, long seed) {
        SubmitResponse response = await(clients.verdict().submit(submit(model, DemoModels.sampleInput(kind, 1, seed))));
        assertThat(response.getJob().getStatus()).as(response.getJob().getFailureReason())
                .isEqualTo(JobStatus.JOB_STATUS_AGREED);
        return response.getJob();
    }

    static void assertModelHistory(TestNodes.Clients clients, AuditServiceClient audit) {
        ModelVersion published = await(clients.verdict().getModel(GetModelRequest.newBuilder().setModel("mlp").build()))
                .getModel().getVersions(0);
        TestNodes.awaitCondition("the models in the audit log", Duration.ofSeconds(30), () -> !ids(audit,
                ListJobsRequest.newBuilder()).isEmpty());
        ModelHistoryResponse history = await(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel("mlp").build()));
        assertThat(history.getModel()).isEqualTo("mlp");
        assertThat(history.getVersionsList()).singleElement().satisfies(v -> {
            assertThat(v.getVersion()).isEqualTo("1");
            assertThat(v.getModelDigest()).isEqualTo(published.getModelDigest());
            assertThat(v.getAgreementPolicy()).isEqualTo("EXACT");
            assertThat(v.getPublishedBy()).isEqualTo("verdict-demo");
            assertThat(v.getEngine()).isEqualTo("tensorflow");
            assertThat(v.getPublishedAt()).isEqualTo(published.getPublishedAt());
            assertThat(v.getState()).isEqualTo(ModelState.MODEL_STATE_AVAILABLE);
            assertThat(v.hasRetiredAt()).isFalse();
        });
        assertThat(await(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel("cnn").build()))
                .getVersions(0).getAgreementPolicy()).isEqualTo("ARGMAX");
        assertRefused(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel("no-such-model").build()),
                Status.Code.NOT_FOUND, "no-such-model");
        assertRefused(audit.modelHistory(ModelHistoryRequest.getDefaultInstance()), Status.Code.INVALID_ARGUMENT,
                "model is required");
    }

    static void assertBadRequestsAreRefused(AuditServiceClient audit) {
        assertRefused(audit.listJobs(ListJobsRequest.newBuilder().setModelVersion("1").build()),
                Status.Code.INVALID_ARGUMENT, "model name");
        assertRefused(audit.listJobs(ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_EXECUTING).build()),
                Status.Code.INVALID_ARGUMENT, "JOB_STATUS_EXECUTING");
        assertRefused(audit.listJobs(ListJobsRequest.newBuilder().setPageToken("garbage!").build()),
                Status.Code.INVALID_ARGUMENT, "page_token");
        Timestamp t = Timestamp.newBuilder().setSeconds(1_800_000_000L).build();
        assertRefused(audit.listJobs(ListJobsRequest.newBuilder().setAcceptedFrom(t).setAcceptedTo(t).build()),
                Status.Code.INVALID_ARGUMENT, "time range is empty");
    }
}
