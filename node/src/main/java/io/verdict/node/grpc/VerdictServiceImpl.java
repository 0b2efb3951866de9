package io.verdict.node.grpc;

import io.verdict.api.v1.AnchorStatusRequest;
import io.verdict.api.v1.AnchorStatusResponse;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetModelRequest;
import io.verdict.api.v1.GetModelResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.ListModelsResponse;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.RetireModelRequest;
import io.verdict.api.v1.RetireModelResponse;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorInfoResponse;
import io.verdict.api.v1.ValidatorState;
import io.verdict.api.v1.VerdictServicePowerApi;
import org.apache.pekko.grpc.javadsl.Metadata;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import io.verdict.node.JobService;
import io.verdict.node.NodeSettings;
import io.verdict.node.RequestRejected;
import io.verdict.node.anchor.Anchoring;
import io.verdict.node.models.ModelCatalog;
import io.verdict.node.models.ModelPublisher;
import io.verdict.sharding.job.JobView;
import io.verdict.sharding.job.ValidatorDirectory;
import io.verdict.sharding.job.ValidatorPool;
import io.verdict.sharding.model.ModelView;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/** Verdict's own gRPC service: jobs with receipts, their history, and model publishing and retirement. */
public final class VerdictServiceImpl implements VerdictServicePowerApi {

    private final ActorSystem<?> system;
    private final JobService jobs;
    private final ModelCatalog catalog;
    private final ModelPublisher publisher;
    private final NodeSettings settings;
    private final ValidatorDirectory directory;
    private final List<ValidatorAddress> validators;
    private final String node;
    private final Anchoring anchoring;

    public VerdictServiceImpl(ActorSystem<?> system, JobService jobs, ModelCatalog catalog, ModelPublisher publisher,
                              NodeSettings settings, ValidatorDirectory directory, List<ValidatorAddress> validators,
                              String node, Anchoring anchoring) {
        this.anchoring = anchoring;
        this.system = system;
        this.jobs = jobs;
        this.catalog = catalog;
        this.publisher = publisher;
        this.settings = settings;
        this.directory = directory;
        this.validators = List.copyOf(validators);
        this.node = node;
    }

    @Override
    public CompletionStage<SubmitResponse> submit(SubmitRequest in, Metadata metadata) {
        return guarded(() -> jobs.submit(new JobService.Request(in.getModel(), Protos.tensors(in.getInputsList()),
                        in.getR(), in.getQ(), in.getClientRequestId(),
                        CallerDeadline.shorter(in.hasTimeout()
                                ? Duration.ofSeconds(in.getTimeout().getSeconds(), in.getTimeout().getNanos()) : null,
                                CallerDeadline.remaining(metadata)),
                        "anonymous", in.getRequestedOutputsList()))
                .thenApply(s -> SubmitResponse.newBuilder()
                        .setJob(Protos.onlyOutputs(Protos.job(s.view()), in.getRequestedOutputsList()))
                        .setExisting(s.existing())
                        .build()));
    }

    @Override
    public CompletionStage<GetJobResponse> getJob(GetJobRequest in, Metadata metadata) {
        return guarded(() -> known(in.getJobId()).thenApply(view -> GetJobResponse.newBuilder()
                .setJob(Protos.job(view))
                .addAllEvents(Protos.events(view))
                .build()));
    }

    @Override
    public Source<WatchJobResponse, NotUsed> watchJob(WatchJobRequest in, Metadata metadata) {
        String jobId = in.getJobId();
        return Source.completionStage(known(jobId))
                .flatMapConcat(first -> first.status().isFinal()
                        ? Source.single(first)
                        : ActorSource.<JobView>actorRef(v -> false, v -> java.util.Optional.empty(), 16,
                                        OverflowStrategy.dropHead())
                                .mapMaterializedValue(ref -> {
                                    jobs.watch(jobId, ref);
                                    return NotUsed.getInstance();
                                })
                                .takeWhile(v -> !v.status().isFinal(), true))
                .map(view -> WatchJobResponse.newBuilder().setJob(Protos.job(view)).build())
                .mapError(Throwable.class, GrpcErrors::toGrpc);
    }

    @Override
    public CompletionStage<GetReceiptResponse> getReceipt(GetReceiptRequest in, Metadata metadata) {
        return guarded(() -> known(in.getJobId()).thenApply(view -> {
            switch (view.status()) {
                case AGREED -> {
                    return GetReceiptResponse.newBuilder()
                            .setFormat("verdict-receipt/1")
                            .setReceiptJson(view.receiptJson())
                            .setAnchored(view.anchored())
                            .build();
                }
                case DISPUTED -> throw new RequestRejected(RequestRejected.Kind.PRECONDITION, "job " + view.jobId()
                        + " was disputed (" + view.evidence().reason() + "): no quorum signed one output, so there"
                        + " is no receipt; GetJob shows the evidence");
                case FAILED -> throw new RequestRejected(RequestRejected.Kind.PRECONDITION, "job " + view.jobId()
                        + " failed, so it has no receipt: " + view.failureReason());
                default -> throw new RequestRejected(RequestRejected.Kind.PRECONDITION, "job " + view.jobId()
                        + " is still executing; its receipt exists once a quorum agrees");
            }
        }));
    }

    @Override
    public CompletionStage<PublishModelResponse> publishModel(Source<PublishModelRequest, NotUsed> in, Metadata metadata) {
        Path upload;
        try {
            Files.createDirectories(settings.uploadsDir());
            upload = Files.createTempFile(settings.uploadsDir(), "upload-", ".zip");
        } catch (IOException e) {
            return CompletableFuture.failedFuture(GrpcErrors.toGrpc(new UncheckedIOException(e)));
        }
        long maxUpload = settings.modelLimits().maxArchiveBytes();
        return in.prefixAndTail(1)
                .runWith(Sink.head(), system)
                .thenCompose(parts -> {
                    List<PublishModelRequest> first = parts.first();
                    Source<PublishModelRequest, NotUsed> rest = parts.second();
                    if (first.isEmpty() || !first.get(0).hasHeader()) {
                        throw RequestRejected.invalid("the first message of PublishModel must be the header"
                                + " (name, version, model digest, policy, total size)");
                    }
                    PublishModelHeader header = first.get(0).getHeader();
                    ModelPublisher.Upload declared = new ModelPublisher.Upload(header.getName(), header.getVersion(),
                            header.getModelDigest(),
                            header.getAgreementPolicy().isEmpty() ? "EXACT" : header.getAgreementPolicy(),
                            "anonymous", Protos.engine(header.getFormat()), Protos.limits(header));
                    ModelPublisher.precheck(declared, settings.maxBatchCeiling(), settings.maxRequestBytes());
                    if (header.getTotalSize() == 0) {
                        throw RequestRejected.invalid("the upload is empty: total_size is 0");
                    }
                    if (header.getTotalSize() > maxUpload) {
                        throw RequestRejected.invalid("the upload is " + header.getTotalSize()
                                + " bytes, over this node's limit of " + maxUpload);
                    }
                    AtomicLong received = new AtomicLong();
                    return rest.map(part -> {
                                if (!part.hasChunk()) {
                                    throw RequestRejected.invalid("only the first message may be a header");
                                }
                                if (received.addAndGet(part.getChunk().size()) > header.getTotalSize()) {
                                    throw RequestRejected.invalid("the upload is larger than its declared total_size of "
                                            + header.getTotalSize() + " bytes");
                                }
                                return ByteString.fromArrayUnsafe(part.getChunk().toByteArray());
                            })
                            .runWith(FileIO.toPath(upload), system)
                            .thenCompose(io -> {
                                if (received.get() != header.getTotalSize()) {
                                    throw RequestRejected.invalid("the upload is truncated: received " + received.get()
                                            + " of " + header.getTotalSize() + " declared bytes");
                                }
                                return publisher.publish(declared, upload);
                            })
                            .thenApply(view -> PublishModelResponse.newBuilder()
                                    .setModel(Protos.model(view, settings.maxRequestBytes()))
                                    .setPublished(Protos.version(view.versions().stream()
                                            .filter(v -> v.version().equals(header.getVersion()))
                                            .findFirst().orElseThrow(), settings.maxRequestBytes()))
                                    .build());
                })
                .handle((response, failure) -> {
                    deleteQuietly(upload);
                    if (failure != null) {
                        throw GrpcErrors.toGrpc(failure);
                    }
                    return response;
                });
    }

    @Override
    public CompletionStage<ListModelsResponse> listModels(ListModelsRequest in, Metadata metadata) {
        int size = in.getPageSize() == 0 ? 100 : Math.min(in.getPageSize(), 1000);
        String after = in.getPageToken();
        return guarded(() -> catalog.list().thenApply(models -> {
            List<ModelView> page = models.stream()
                    .filter(m -> after.isEmpty() || m.name().compareTo(after) > 0)
                    .limit(size + 1L)
                    .toList();
            ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
            page.stream().limit(size).forEach(m -> b.addModels(Protos.model(m, settings.maxRequestBytes())));
            if (page.size() > size) {
                b.setNextPageToken(page.get(size - 1).name());
            }
            return b.build();
        }));
    }

    @Override
    public CompletionStage<GetModelResponse> getModel(GetModelRequest in, Metadata metadata) {
        String ref = in.getModel().strip();
        String name = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
        return guarded(() -> (ref.startsWith("sha256:") ? catalog.holding(ref) : catalog.get(name))
                .thenApply(view -> GetModelResponse.newBuilder()
                        .setModel(Protos.model(view, settings.maxRequestBytes())).build()));
    }

    @Override
    public CompletionStage<RetireModelResponse> retireModel(RetireModelRequest in, Metadata metadata) {
        String version = in.getModel().strip().substring(in.getModel().strip().indexOf('@') + 1);
        return guarded(() -> catalog.retire(in.getModel(), in.getReason())
                .thenApply(view -> RetireModelResponse.newBuilder()
                        .setModel(Protos.model(view, settings.maxRequestBytes()))
                        .setRetired(Protos.version(view.versions().stream()
                                .filter(v -> v.version().equals(version))
                                .findFirst().orElseThrow(), settings.maxRequestBytes()))
                        .build()));
    }

    @Override
    public CompletionStage<AnchorStatusResponse> anchorStatus(AnchorStatusRequest in, Metadata metadata) {
        return guarded(() -> anchoring.status(Duration.ofSeconds(5))
                .exceptionally(e -> {
                    throw new RequestRejected(RequestRejected.Kind.UNAVAILABLE, "the anchoring service did not "
                            + "answer within 5 s (it may be moving to another node); retry later");
                })
                .thenApply(Protos::anchorStatus));
    }

    @Override
    public CompletionStage<ValidatorInfoResponse> validatorInfo(ValidatorInfoRequest in, Metadata metadata) {
        ValidatorPool pool = directory.snapshot();
        ValidatorSet set = pool.set();
        ValidatorInfoResponse.Builder b = ValidatorInfoResponse.newBuilder()
                .setNode(node)
                .setEpoch(pool.epoch())
                .setThreshold(set == null ? 0 : set.threshold())
                .setChainId(settings.domain().chainId())
                .setAnchorContract(settings.domain().verifyingContract().toString());
        validators.forEach(a -> b.addValidators(validator(pool, a)));
        if (set != null) {
            set.members().forEach(a -> b.addClusterValidators(validator(pool, a)));
        }
        return CompletableFuture.completedFuture(b.build());
    }

    private static io.verdict.api.v1.Validator validator(ValidatorPool pool, ValidatorAddress address) {
        var live = pool.handle(address);
        boolean member = pool.set() != null && pool.set().contains(address);
        return io.verdict.api.v1.Validator.newBuilder()
                .setAddress(address.toString())
                .setEpoch(member ? pool.epoch() : 0)
                .setState(member && live.isPresent() ? ValidatorState.VALIDATOR_STATE_ACTIVE
                        : ValidatorState.VALIDATOR_STATE_INACTIVE)
                .setNode(live.map(ValidatorPool.ValidatorHandle::node).orElse(""))
                .build();
    }

    private CompletionStage<JobView> known(String jobId) {
        if (!jobId.matches("0x[0-9a-f]{64}")) {
            return CompletableFuture.failedFuture(RequestRejected.invalid(
                    "job id must be 0x followed by 64 lowercase hex digits, got '" + jobId + "'"));
        }
        return jobs.get(jobId).thenApply(view -> {
            if (view.status() == JobView.Status.UNKNOWN) {
                throw RequestRejected.notFound("no job " + jobId + " was submitted");
            }
            return view;
        });
    }

    /** Runs {@code call}, turning a synchronous throw or a failed stage into a gRPC status. */
    static <T> CompletionStage<T> guarded(java.util.function.Supplier<CompletionStage<T>> call) {
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(GrpcErrors.toGrpc(e));
        }
        return stage.handle((value, failure) -> {
            if (failure != null) {
                throw GrpcErrors.toGrpc(failure);
            }
            return value;
        });
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a left-over upload is removed on the next start
        }
    }
}
