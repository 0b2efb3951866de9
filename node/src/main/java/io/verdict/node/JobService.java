package io.verdict.node;

import io.verdict.actors.entry.JobEntry;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.node.models.ModelCatalog;
import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSettings;
import io.verdict.sharding.job.JobSpec;
import io.verdict.sharding.job.JobView;
import io.verdict.sharding.model.ResolvedModel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What both gRPC APIs do with a job, without their wire types: resolve the model, check the
 * inputs against its signature, the version's declared limits and the node's limits, settle r, q and the deadline, derive the job
 * id from the request (so a retry is the same job), and hand the job to the entry actor.
 */
public final class JobService {

    /** A request as both APIs express it. {@code r}/{@code q} of 0 and a null timeout mean "default". */
    public record Request(String model, NamedTensors inputs, int r, int q, String clientRequestId,
                          Duration timeout, String requester, java.util.List<String> requestedOutputs) {}

    /** The final view of a job, the model it ran, and whether the job already existed. */
    public record Submitted(JobView view, ResolvedModel model, boolean existing) {}

    private static final Duration ASK_MARGIN = Duration.ofSeconds(5);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final ModelCatalog catalog;
    private final ActorRef<JobEntry.Command> entry;
    private final NodeSettings settings;
    private final Duration maxTimeout;
    private final JournalHealth journal;

    public JobService(ActorSystem<?> system, ModelCatalog catalog, ActorRef<JobEntry.Command> entry,
                      NodeSettings settings, JobSettings jobSettings, JournalHealth journal) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.catalog = catalog;
        this.entry = entry;
        this.settings = settings;
        this.maxTimeout = jobSettings.maxJobTimeout();
        this.journal = journal;
    }

    /**
     * Runs the job (or joins it), completing when it is final or the caller's wait is over. While
     * the journal is down the job is refused at once, and any failure is reported as UNAVAILABLE.
     */
    public CompletionStage<Submitted> submit(Request request) {
        return journal.guard(() -> submitChecked(request));
    }

    private CompletionStage<Submitted> submitChecked(Request request) {
        long bytes = request.inputs().asMap().values().stream().mapToLong(t -> t.byteLength()).sum();
        if (bytes > settings.maxRequestBytes()) {
            return CompletableFuture.failedFuture(RequestRejected.invalid("the request's inputs are " + bytes
                    + " bytes, over this node's limit of " + settings.maxRequestBytes() + " bytes"));
        }
        if (request.clientRequestId() != null && request.clientRequestId().length() > 128) {
            return CompletableFuture.failedFuture(RequestRejected.invalid("client_request_id is "
                    + request.clientRequestId().length() + " characters; at most 128"));
        }
        return catalog.resolve(request.model()).thenCompose(model -> {
            model.signature().validate(request.inputs());
            // The version's own limits (batch, shape bounds, input bytes): InputLimitExceeded names them.
            model.limits().enforce(model.ref(), model.signature().inputs().values(), request.inputs(),
                    settings.maxRequestBytes());
            if (!settings.allowNonFiniteInputs()) {
                rejectNonFinite(request.inputs());
            }
            for (String output : request.requestedOutputs()) {
                if (!model.signature().outputs().containsKey(output)) {
                    throw RequestRejected.invalid("requested output '" + output + "' is not an output of "
                            + model.name() + "@" + model.version() + "; it has " + model.signature().outputs().keySet());
                }
            }
            int r = request.r() > 0 ? request.r() : request.q() > settings.defaultR() ? request.q() : settings.defaultR();
            int q = request.q() > 0 ? request.q() : request.r() > 0 ? r / 2 + 1 : Math.min(settings.defaultQ(), r);
            if (r > settings.maxR()) {
                throw RequestRejected.invalid("r=" + r + " is over this node's limit of " + settings.maxR());
            }
            if (q > r) {
                throw RequestRejected.invalid("q=" + q + " exceeds r=" + r + ": a quorum cannot be larger than the committee");
            }
            if (2 * q <= r) {
                throw RequestRejected.invalid("q=" + q + " is not a majority of r=" + r + " (need q > r/2): with a"
                        + " smaller quorum, faulty validators could make a wrong result final");
            }
            Duration wait = request.timeout() == null || request.timeout().isZero()
                    ? settings.defaultTimeout() : request.timeout();
            if (wait.isNegative()) {
                throw RequestRejected.invalid("timeout must not be negative");
            }
            // Waiting past the job's own deadline is pointless: cap the wait just beyond it, so a
            // job that fails by deadline reports that instead of racing with the caller's wait.
            if (wait.compareTo(maxTimeout) > 0) {
                wait = maxTimeout.plusSeconds(1);
            }
            byte[] encoded = request.inputs().canonicalBytes();
            // The job's own deadline is the node's maximum; the caller's timeout is how long it waits.
            JobSpec spec = JobSpec.of(model.name(), model.version(), model.spec().modelDigest(),
                    model.spec().agreementPolicy(), request.inputs().digest().toString(), encoded, r, q,
                    request.requester(), emptyToNull(request.clientRequestId()), maxTimeout.toMillis());
            Duration waitFor = wait;
            // A job accepted before this call started already existed (a retry or a duplicate).
            long submittedAt = System.currentTimeMillis();
            return AskPattern.<JobEntry.Command, StatusReply<JobView>>ask(
                            entry, replyTo -> new JobEntry.Submit(spec, waitFor, replyTo), waitFor.plus(ASK_MARGIN),
                            system.scheduler())
                    .thenCompose(reply -> {
                        if (reply.isSuccess()) {
                            return CompletableFuture.completedFuture(submitted(reply.getValue(), model, submittedAt));
                        }
                        if (reply.getError() instanceof TimeoutException) {
                            // Not final within the caller's wait: return the job as it stands; it carries on.
                            // Unless it was never accepted (its shard is moving after a node failure, say):
                            // then nothing was acknowledged, and the caller must retry.
                            return get(spec.jobId()).thenApply(view -> {
                                if (view.status() == JobView.Status.UNKNOWN) {
                                    throw new RequestRejected(RequestRejected.Kind.UNAVAILABLE, "job "
                                            + spec.jobId() + " was not accepted within " + waitFor.toMillis()
                                            + " ms (the cluster may be recovering from a node failure); retry the"
                                            + " same request: it will be the same job");
                                }
                                return submitted(view, model, submittedAt);
                            });
                        }
                        throw reply.getError() instanceof RuntimeException e ? e
                                : new StatusReply.ErrorMessage(reply.getError().getMessage());
                    });
        });
    }

    private static Submitted submitted(JobView view, ResolvedModel model, long submittedAt) {
        boolean existing = view.request() != null && view.request().acceptedAt() < submittedAt;
        return new Submitted(view, model, existing);
    }

    /** NaN and infinities are values most models are not defined for: refuse them by default. */
    static void rejectNonFinite(NamedTensors inputs) {
        inputs.asMap().forEach((name, t) -> {
            boolean single = t.dtype() == io.verdict.inference.tensor.DType.FLOAT32;
            if (!single && t.dtype() != io.verdict.inference.tensor.DType.FLOAT64) {
                return;
            }
            java.nio.ByteBuffer data = t.buffer(); // a view, not a copy
            long n = t.elementCount();
            for (int i = 0; i < n; i++) {
                double value = single ? data.getFloat(i * 4) : data.getDouble(i * 8);
                if (!Double.isFinite(value)) {
                    throw RequestRejected.invalid("input '" + name + "' holds " + value + " at flat index " + i
                            + "; inputs must be finite (verdict.limits.allow-non-finite-inputs is off)");
                }
            }
        });
    }

    /** The job's current view (status UNKNOWN when no such job was submitted). */
    public CompletionStage<JobView> get(String jobId) {
        return journal.guard(() -> job(jobId).ask(InferenceJob.Get::new, Duration.ofSeconds(10)));
    }

    /** Sends {@code subscriber} the job's view on every change until it is final. */
    public void watch(String jobId, ActorRef<JobView> subscriber) {
        job(jobId).tell(new InferenceJob.Watch(subscriber));
    }

    private EntityRef<InferenceJob.Command> job(String jobId) {
        return sharding.entityRefFor(InferenceJob.ENTITY_KEY, jobId);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
