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
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * What both gRPC APIs do with a job, without their wire types: resolve the model, check the
 * inputs against its signature and the node's limits, settle r, q and the deadline, derive the job
 * id from the request (so a retry is the same job), and hand the job to the entry actor.
 */
public final class JobService {

    /** A request as both APIs express it. {@code r}/{@code q} of 0 and a null timeout mean "default". */
    public record Request(String model, NamedTensors inputs, int r, int q, String clientRequestId,
                          Duration timeout, String requester) {}

    /** The final view of a job, the model it ran, and whether the job already existed. */
    public record Submitted(JobView view, ResolvedModel model, boolean existing) {}

    private static final Duration ASK_MARGIN = Duration.ofSeconds(5);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final ModelCatalog catalog;
    private final ActorRef<JobEntry.Command> entry;
    private final NodeSettings settings;
    private final Duration maxTimeout;

    public JobService(ActorSystem<?> system, ModelCatalog catalog, ActorRef<JobEntry.Command> entry,
                      NodeSettings settings, JobSettings jobSettings) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.catalog = catalog;
        this.entry = entry;
        this.settings = settings;
        this.maxTimeout = jobSettings.maxJobTimeout();
    }

    public CompletionStage<Submitted> submit(Request request) {
        long bytes = request.inputs().asMap().values().stream().mapToLong(t -> t.byteLength()).sum();
        if (bytes > settings.maxRequestBytes()) {
            return CompletableFuture.failedFuture(RequestRejected.invalid("the request's inputs are " + bytes
                    + " bytes, over this node's limit of " + settings.maxRequestBytes() + " bytes"));
        }
        return catalog.resolve(request.model()).thenCompose(model -> {
            model.signature().validate(request.inputs());
            int r = request.r() > 0 ? request.r() : request.q() > settings.defaultR() ? request.q() : settings.defaultR();
            int q = request.q() > 0 ? request.q() : request.r() > 0 ? r / 2 + 1 : Math.min(settings.defaultQ(), r);
            if (r > settings.maxR()) {
                throw RequestRejected.invalid("r=" + r + " is over this node's limit of " + settings.maxR());
            }
            if (q > r) {
                throw RequestRejected.invalid("q=" + q + " exceeds r=" + r + ": a quorum cannot be larger than the committee");
            }
            Duration timeout = request.timeout() == null || request.timeout().isZero()
                    ? settings.defaultTimeout() : request.timeout();
            if (timeout.isNegative()) {
                throw RequestRejected.invalid("timeout must not be negative");
            }
            if (timeout.compareTo(maxTimeout) > 0) {
                timeout = maxTimeout;
            }
            byte[] encoded = request.inputs().canonicalBytes();
            JobSpec spec = JobSpec.of(model.name(), model.version(), model.spec().modelDigest(),
                    model.spec().agreementPolicy(), request.inputs().digest().toString(), encoded, r, q,
                    request.requester(), emptyToNull(request.clientRequestId()), timeout.toMillis());
            Duration wait = timeout.plus(ASK_MARGIN);
            return get(spec.jobId()).thenCompose(before -> AskPattern.<JobEntry.Command, org.apache.pekko.pattern.StatusReply<JobView>>ask(
                            entry, replyTo -> new JobEntry.Submit(spec, wait, replyTo), wait.plus(ASK_MARGIN),
                            system.scheduler())
                    .thenApply(reply -> {
                        if (reply.isError()) {
                            throw reply.getError() instanceof RuntimeException e ? e
                                    : new org.apache.pekko.pattern.StatusReply.ErrorMessage(reply.getError().getMessage());
                        }
                        return new Submitted(reply.getValue(), model, before.status() != JobView.Status.UNKNOWN);
                    }));
        });
    }

    /** The job's current view (status UNKNOWN when no such job was submitted). */
    public CompletionStage<JobView> get(String jobId) {
        return job(jobId).ask(InferenceJob.Get::new, Duration.ofSeconds(10));
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
