package io.verdict.node.grpc;

import com.google.protobuf.Timestamp;
import com.typesafe.config.Config;
import io.verdict.api.v1.AuditService;
import io.verdict.api.v1.AuditServicePowerApi;
import io.verdict.api.v1.AuditServicePowerApiHandlerFactory;
import io.verdict.api.v1.AuditStatusRequest;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.AuditedJob;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ModelHistoryRequest;
import io.verdict.api.v1.ModelHistoryResponse;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersionRecord;
import io.verdict.api.v1.ModelVersionRef;
import io.verdict.api.v1.ProjectionProgress;
import io.verdict.node.RequestRejected;
import io.verdict.node.audit.AuditProjections;
import io.verdict.node.audit.JobQuery;
import io.verdict.node.audit.JobRecord;
import io.verdict.node.audit.JobState;
import io.verdict.node.audit.VersionRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.javadsl.Metadata;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;

/** {@code verdict.v1.AuditService}: the audit tables the projections keep, over gRPC. */
public final class AuditServiceImpl implements AuditServicePowerApi {

    private final AuditProjections audit;

    public AuditServiceImpl(AuditProjections audit) {
        this.audit = audit;
    }

    /**
     * Starts the audit projections of the node's journal and returns the service's request handler,
     * for {@code ServiceHandler.concatOrNotFound}. Blocks until the audit tables exist.
     */
    public static Function<HttpRequest, CompletionStage<HttpResponse>> start(ActorSystem<?> system, Config config)
            throws Exception {
        return AuditServicePowerApiHandlerFactory.partial(new AuditServiceImpl(AuditProjections.start(system, config)),
                AuditService.name, system);
    }

    @Override
    public CompletionStage<ListJobsResponse> listJobs(ListJobsRequest in, Metadata metadata) {
        return VerdictServiceImpl.guarded(() -> {
            JobQuery query = JobQuery.of(in.getModel(), in.getModelVersion(), in.getRequester(), state(in.getStatus()),
                    in.hasAcceptedFrom() ? millis(in.getAcceptedFrom()) : null,
                    in.hasAcceptedTo() ? millis(in.getAcceptedTo()) : null,
                    in.getPageSize(), in.getPageToken());
            return audit.store().jobs(query).thenApply(page -> {
                ListJobsResponse.Builder b = ListJobsResponse.newBuilder();
                page.jobs().forEach(j -> b.addJobs(job(j)));
                if (page.nextPageToken() != null) {
                    b.setNextPageToken(page.nextPageToken());
                }
                return b.build();
            });
        });
    }

    @Override
    public CompletionStage<ModelHistoryResponse> modelHistory(ModelHistoryRequest in, Metadata metadata) {
        return VerdictServiceImpl.guarded(() -> {
            String model = in.getModel().strip();
            if (model.isEmpty()) {
                throw RequestRejected.invalid("model is required: the name of a model");
            }
            return audit.store().modelHistory(model).thenApply(versions -> {
                if (versions.isEmpty()) {
                    throw RequestRejected.notFound("the audit log has no version of model '" + model
                            + "' (a version published in the last seconds may not be projected yet)");
                }
                ModelHistoryResponse.Builder b = ModelHistoryResponse.newBuilder().setModel(model);
                versions.forEach(v -> b.addVersions(version(v)));
                return b.build();
            });
        });
    }

    @Override
    public CompletionStage<AuditStatusResponse> auditStatus(AuditStatusRequest in, Metadata metadata) {
        return VerdictServiceImpl.guarded(() -> {
            List<CompletableFuture<ProjectionProgress>> entries = new ArrayList<>();
            for (io.verdict.node.audit.ProjectionProgress p : audit.progress()) {
                entries.add(audit.storedOffset(p).thenApply(offset -> {
                    ProjectionProgress.Builder b = ProjectionProgress.newBuilder()
                            .setName(p.id().name())
                            .setTag(p.tag())
                            .setOffset(offset)
                            .setEventsHandled(p.events());
                    if (p.lastEventAt() > 0) {
                        b.setLastEventAt(Protos.timestamp(p.lastEventAt()));
                    }
                    return b.build();
                }).toCompletableFuture());
            }
            return CompletableFuture.allOf(entries.toArray(CompletableFuture[]::new))
                    .thenApply(done -> AuditStatusResponse.newBuilder()
                            .setStore(audit.store().kind())
                            .addAllProjections(entries.stream().map(CompletableFuture::join).toList())
                            .build());
        });
    }

    static JobState state(JobStatus status) {
        return switch (status) {
            case JOB_STATUS_UNSPECIFIED -> null;
            case JOB_STATUS_ACCEPTED -> JobState.RUNNING;
            case JOB_STATUS_AGREED -> JobState.AGREED;
            case JOB_STATUS_DISPUTED -> JobState.DISPUTED;
            case JOB_STATUS_FAILED -> JobState.FAILED;
            default -> throw RequestRejected.invalid("status " + status + " cannot be filtered on: the audit log "
                    + "records acceptance and the final outcome only; use JOB_STATUS_ACCEPTED (not final yet), "
                    + "JOB_STATUS_AGREED, JOB_STATUS_DISPUTED or JOB_STATUS_FAILED");
        };
    }

    static JobStatus status(JobState state) {
        return switch (state) {
            case RUNNING -> JobStatus.JOB_STATUS_ACCEPTED;
            case AGREED -> JobStatus.JOB_STATUS_AGREED;
            case DISPUTED -> JobStatus.JOB_STATUS_DISPUTED;
            case FAILED -> JobStatus.JOB_STATUS_FAILED;
        };
    }

    private static long millis(Timestamp t) {
        if (t.getSeconds() < 0 || t.getNanos() < 0 || t.getNanos() > 999_999_999) {
            throw RequestRejected.invalid("timestamps must not be before 1970-01-01T00:00:00Z");
        }
        return Math.addExact(Math.multiplyExact(t.getSeconds(), 1000L), t.getNanos() / 1_000_000);
    }

    static AuditedJob job(JobRecord j) {
        AuditedJob.Builder b = AuditedJob.newBuilder()
                .setJobId(j.jobId())
                .setModel(ModelVersionRef.newBuilder().setName(j.modelName()).setVersion(j.modelVersion())
                        .setModelDigest(j.modelDigest()))
                .setAgreementPolicy(j.policy())
                .setInputDigest(j.inputDigest())
                .setRequester(j.requester())
                .setClientRequestId(Protos.nullToEmpty(j.clientRequestId()))
                .setR(j.r())
                .setQ(j.q())
                .setStatus(status(j.state()))
                .setAcceptedAt(Protos.timestamp(j.acceptedAt()))
                .setOutputDigest(Protos.nullToEmpty(j.outputDigest()))
                .setFailureReason(Protos.nullToEmpty(j.reason()));
        if (j.finishedAt() != null) {
            b.setFinishedAt(Protos.timestamp(j.finishedAt()));
        }
        return b.build();
    }

    static ModelVersionRecord version(VersionRecord v) {
        ModelVersionRecord.Builder b = ModelVersionRecord.newBuilder()
                .setVersion(v.version())
                .setModelDigest(v.modelDigest())
                .setAgreementPolicy(v.policy())
                .setEngine(v.engine())
                .setPublishedBy(v.publishedBy())
                .setSizeBytes(v.sizeBytes())
                .setPublishedAt(Protos.timestamp(v.publishedAt()))
                .setState(v.retired() ? ModelState.MODEL_STATE_RETIRED : ModelState.MODEL_STATE_AVAILABLE)
                .setRetireReason(Protos.nullToEmpty(v.retireReason()));
        if (v.retiredAt() != null) {
            b.setRetiredAt(Protos.timestamp(v.retiredAt()));
        }
        return b.build();
    }
}
