package io.verdict.node.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.JobEventType;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersionRef;
import io.verdict.api.v1.TensorSpec;
import io.verdict.api.v1.Verdict;
import io.verdict.api.v1.VerdictOutcome;
import io.verdict.api.v1.Vote;
import io.verdict.inference.tensor.CanonicalEncoding;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.node.RequestRejected;
import io.verdict.sharding.job.JobView;
import io.verdict.sharding.model.ModelVersion;
import io.verdict.sharding.model.ModelView;
import io.verdict.sharding.model.TensorSignature;
import io.verdict.sharding.model.VersionStatus;
import io.verdict.sharding.model.VersionLimits;
import io.verdict.sharding.model.ModelVersionSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between Verdict's own protobuf messages and our types; proto types stop here. */
final class Protos {

    private Protos() {}

    /** The request's tensors as our values; every mistake is INVALID_ARGUMENT naming the tensor. */
    static NamedTensors tensors(List<io.verdict.api.v1.Tensor> protos) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (io.verdict.api.v1.Tensor p : protos) {
            String name = p.getName();
            if (name.isEmpty()) {
                throw RequestRejected.invalid("every input tensor needs a name");
            }
            if (out.containsKey(name)) {
                throw RequestRejected.invalid("input tensor '" + name + "' is given twice");
            }
            io.verdict.inference.tensor.DType dtype = dtype(name, p.getDtype());
            long[] dims = p.getShapeList().stream().mapToLong(Long::longValue).toArray();
            try {
                out.put(name, new Tensor(dtype, Shape.of(dims), p.getData().toByteArray()));
            } catch (IllegalArgumentException e) {
                throw RequestRejected.invalid("input tensor '" + name + "': " + e.getMessage());
            }
        }
        try {
            return NamedTensors.of(out);
        } catch (IllegalArgumentException e) {
            throw RequestRejected.invalid(e.getMessage());
        }
    }

    static io.verdict.inference.tensor.DType dtype(String tensor, DType proto) {
        return switch (proto) {
            case DTYPE_FLOAT32 -> io.verdict.inference.tensor.DType.FLOAT32;
            case DTYPE_FLOAT64 -> io.verdict.inference.tensor.DType.FLOAT64;
            case DTYPE_INT32 -> io.verdict.inference.tensor.DType.INT32;
            case DTYPE_INT64 -> io.verdict.inference.tensor.DType.INT64;
            case DTYPE_BOOL -> io.verdict.inference.tensor.DType.BOOL;
            default -> throw RequestRejected.invalid("input tensor '" + tensor
                    + "' needs a dtype (FLOAT32, FLOAT64, INT32, INT64 or BOOL)");
        };
    }

    static DType dtype(io.verdict.inference.tensor.DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> DType.DTYPE_FLOAT32;
            case FLOAT64 -> DType.DTYPE_FLOAT64;
            case INT32 -> DType.DTYPE_INT32;
            case INT64 -> DType.DTYPE_INT64;
            case BOOL -> DType.DTYPE_BOOL;
        };
    }

    static List<io.verdict.api.v1.Tensor> tensors(NamedTensors tensors) {
        return tensors.asMap().entrySet().stream()
                .map(e -> io.verdict.api.v1.Tensor.newBuilder()
                        .setName(e.getKey())
                        .setDtype(dtype(e.getValue().dtype()))
                        .addAllShape(java.util.Arrays.stream(e.getValue().shape().dims()).boxed().toList())
                        .setData(ByteString.copyFrom(e.getValue().data()))
                        .build())
                .toList();
    }

    static Job job(JobView view) {
        Job.Builder b = Job.newBuilder()
                .setJobId(view.jobId())
                .setStatus(status(view.status()));
        JobView.Request request = view.request();
        if (request != null) {
            b.setModel(ModelVersionRef.newBuilder()
                            .setName(nullToEmpty(request.modelName()))
                            .setVersion(nullToEmpty(request.modelVersion()))
                            .setModelDigest(request.modelDigest()))
                    .setAgreementPolicy(request.policy())
                    .setInputDigest(request.inputDigest())
                    .setClientRequestId(nullToEmpty(request.clientRequestId()))
                    .setR(request.r())
                    .setQ(request.q())
                    .setAcceptedAt(timestamp(request.acceptedAt()));
            if (request.finishedAt() > 0) {
                b.setFinishedAt(timestamp(request.finishedAt()));
            }
        }
        if (view.output() != null) {
            b.addAllOutputs(tensors(CanonicalEncoding.decodeNamedTensors(view.output())));
        }
        if (view.outputDigest() != null) {
            b.setOutputDigest(view.outputDigest());
        }
        if (view.receiptJson() != null) {
            b.setReceiptJson(view.receiptJson());
        }
        if (view.failureReason() != null) {
            b.setFailureReason(view.failureReason());
        }
        Verdict.Builder verdict = Verdict.newBuilder()
                .setOutcome(outcome(view.status()))
                .setCommitteeSize(view.committee().size());
        if (request != null) {
            verdict.setQuorum(request.q());
        }
        view.votes().forEach(v -> verdict.addVotes(Vote.newBuilder()
                .setValidator(v.validator())
                .setOutputDigest(v.outputDigest())));
        if (view.evidence() != null) {
            view.evidence().equivocations().forEach(eq -> eq.votes().forEach(v -> verdict.addVotes(Vote.newBuilder()
                    .setValidator(v.validator())
                    .setOutputDigest(v.outputDigest())
                    .setSignature(v.signature())
                    .setEquivocated(true))));
        }
        return b.setVerdict(verdict).build();
    }

    /** {@code job} with only the named outputs (all of them when {@code names} is empty). */
    static Job onlyOutputs(Job job, List<String> names) {
        if (names.isEmpty()) {
            return job;
        }
        return job.toBuilder().clearOutputs()
                .addAllOutputs(job.getOutputsList().stream().filter(t -> names.contains(t.getName())).toList())
                .build();
    }

    static List<JobEvent> events(JobView view) {
        List<JobView.HistoryEntry> history = view.history();
        java.util.ArrayList<JobEvent> out = new java.util.ArrayList<>(history.size());
        for (int i = 0; i < history.size(); i++) {
            JobView.HistoryEntry h = history.get(i);
            out.add(JobEvent.newBuilder()
                    .setSequenceNr(i + 1L)
                    .setTime(timestamp(h.time()))
                    .setType(eventType(h.event()))
                    .setDescription(h.detail() == null ? h.event() : h.detail())
                    .build());
        }
        return out;
    }

    private static JobEventType eventType(String event) {
        return switch (event) {
            case "JobAccepted" -> JobEventType.JOB_EVENT_TYPE_ACCEPTED;
            case "VoteRecorded" -> JobEventType.JOB_EVENT_TYPE_VOTE_RECORDED;
            case "MemberReplaced" -> JobEventType.JOB_EVENT_TYPE_VALIDATOR_TIMED_OUT;
            case "CommitteeEscalated" -> JobEventType.JOB_EVENT_TYPE_ESCALATED;
            case "QuorumReached" -> JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED;
            case "JobDisputed" -> JobEventType.JOB_EVENT_TYPE_DISPUTED;
            case "JobFailed" -> JobEventType.JOB_EVENT_TYPE_FAILED;
            case "JobAnchored" -> JobEventType.JOB_EVENT_TYPE_ANCHORED;
            default -> JobEventType.JOB_EVENT_TYPE_UNSPECIFIED;
        };
    }

    static JobStatus status(JobView.Status status) {
        return switch (status) {
            case UNKNOWN -> JobStatus.JOB_STATUS_UNSPECIFIED;
            case ACCEPTED -> JobStatus.JOB_STATUS_ACCEPTED;
            case EXECUTING -> JobStatus.JOB_STATUS_EXECUTING;
            case AGREED -> JobStatus.JOB_STATUS_AGREED;
            case DISPUTED -> JobStatus.JOB_STATUS_DISPUTED;
            case FAILED -> JobStatus.JOB_STATUS_FAILED;
        };
    }

    private static VerdictOutcome outcome(JobView.Status status) {
        return switch (status) {
            case AGREED -> VerdictOutcome.VERDICT_OUTCOME_AGREED;
            case DISPUTED -> VerdictOutcome.VERDICT_OUTCOME_DISPUTED;
            case UNKNOWN -> VerdictOutcome.VERDICT_OUTCOME_UNSPECIFIED;
            default -> VerdictOutcome.VERDICT_OUTCOME_PENDING;
        };
    }

    /** The model; effective limits as on a node whose own input limit is {@code nodeMaxBytes}. */
    static io.verdict.api.v1.Model model(ModelView view, long nodeMaxBytes) {
        io.verdict.api.v1.Model.Builder b = io.verdict.api.v1.Model.newBuilder()
                .setName(view.name())
                .setLatestVersion(nullToEmpty(view.latest()));
        view.versions().forEach(v -> b.addVersions(version(v, nodeMaxBytes)));
        return b.build();
    }

    /** The version; effective limits as on a node whose own input limit is {@code nodeMaxBytes}. */
    static io.verdict.api.v1.ModelVersion version(ModelVersion v, long nodeMaxBytes) {
        io.verdict.api.v1.ModelSignature.Builder sig = io.verdict.api.v1.ModelSignature.newBuilder();
        v.spec().inputs().forEach(t -> sig.addInputs(spec(t)));
        v.spec().outputs().forEach(t -> sig.addOutputs(spec(t)));
        VersionLimits limits = v.spec().limits();
        io.verdict.api.v1.ModelVersion.Builder b = io.verdict.api.v1.ModelVersion.newBuilder()
                .setVersion(v.version())
                .setModelDigest(v.spec().modelDigest())
                .setAgreementPolicy(v.spec().agreementPolicy())
                .setSignature(sig)
                .setState(v.status() == VersionStatus.ACTIVE ? ModelState.MODEL_STATE_AVAILABLE
                        : ModelState.MODEL_STATE_RETIRED)
                .setFormat(format(v.spec().engine()))
                .setSizeBytes(v.spec().sizeBytes())
                .setPublishedAt(timestamp(v.publishedAt()))
                .setMaxBatch(limits.effectiveMaxBatch(v.spec().signature().inputs().values()))
                .setMaxInputBytes(limits.effectiveMaxInputBytes(nodeMaxBytes));
        limits.inputLimits().forEach(l -> b.addInputLimits(inputLimit(l)));
        if (v.retiredAt() != null) {
            b.setRetiredAt(timestamp(v.retiredAt()));
            b.setRetireReason(nullToEmpty(v.retireReason()));
        }
        return b.build();
    }

    static io.verdict.api.v1.InputLimit inputLimit(VersionLimits.InputLimit l) {
        return io.verdict.api.v1.InputLimit.newBuilder().setName(l.name()).addAllMaxShape(l.maxShape()).build();
    }

    static VersionLimits.InputLimit inputLimit(io.verdict.api.v1.InputLimit l) {
        return new VersionLimits.InputLimit(l.getName(), l.getMaxShapeList());
    }

    /** The limits a publish header declares (0 and absent mean the defaults). */
    static VersionLimits limits(io.verdict.api.v1.PublishModelHeader header) {
        return new VersionLimits(header.getMaxBatch(),
                header.getInputLimitsList().stream().map(Protos::inputLimit).toList(), header.getMaxInputBytes());
    }

    /** The format a version's engine runs. */
    static io.verdict.api.v1.ModelFormat format(String engine) {
        return ModelVersionSpec.ONNX_RUNTIME.equals(engine) ? io.verdict.api.v1.ModelFormat.MODEL_FORMAT_ONNX
                : io.verdict.api.v1.ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL;
    }

    /**
     * The engine of an uploaded format. Unset means a TensorFlow SavedModel: before ONNX, clients
     * sent no format and every upload was one.
     */
    static String engine(io.verdict.api.v1.ModelFormat format) {
        return switch (format) {
            case MODEL_FORMAT_UNSPECIFIED, MODEL_FORMAT_TENSORFLOW_SAVED_MODEL -> ModelVersionSpec.TENSORFLOW;
            case MODEL_FORMAT_ONNX -> ModelVersionSpec.ONNX_RUNTIME;
            default -> throw RequestRejected.invalid("unknown model format; use MODEL_FORMAT_TENSORFLOW_SAVED_MODEL"
                    + " or MODEL_FORMAT_ONNX");
        };
    }

    private static TensorSpec spec(TensorSignature t) {
        io.verdict.inference.engine.TensorSpec s = t.toSpec();
        return TensorSpec.newBuilder()
                .setName(s.name())
                .setDtype(dtype(s.dtype()))
                .addAllShape(java.util.Arrays.stream(s.shape().dims()).boxed().toList())
                .build();
    }

    static Timestamp timestamp(long epochMillis) {
        return Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(epochMillis, 1000))
                .setNanos((int) Math.floorMod(epochMillis, 1000) * 1_000_000)
                .build();
    }

    static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    static io.verdict.api.v1.AnchorStatusResponse anchorStatus(io.verdict.node.anchor.AnchorStatus s) {
        var b = io.verdict.api.v1.AnchorStatusResponse.newBuilder().setEnabled(s.enabled());
        if (!s.enabled()) {
            return b.build();
        }
        b.setChainId(s.chainId()).setContract(s.contract()).setAnchorer(s.anchorer())
                .setSealedBatches(s.sealedBatches()).setAnchoredBatches(s.anchoredBatches())
                .setAnchoredResults(s.anchoredResults()).setOpenBatches(s.openBatches())
                .setPendingResults(s.pendingResults()).setLag(duration(s.lagMillis()))
                .setSkippedResults(s.skippedResults()).setHead(s.head())
                .setFailures(s.failures()).setRetryIn(duration(s.retryInMillis())).setHalted(s.halted());
        if (s.last() != null) {
            b.setLastBatchId(s.last().batchId()).setLastTxHash(s.last().txHash())
                    .setLastBlockNumber(s.last().blockNumber()).setLastAnchoredAt(timestamp(s.last().at()));
        }
        if (s.lastChainOkAt() > 0) {
            b.setLastChainOkAt(timestamp(s.lastChainOkAt()));
        }
        if (s.lastError() != null) {
            b.setLastError(s.lastError()).setLastErrorAt(timestamp(s.lastErrorAt()));
        }
        return b.build();
    }

    private static com.google.protobuf.Duration duration(long millis) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(millis / 1000)
                .setNanos((int) (millis % 1000) * 1_000_000).build();
    }
}
