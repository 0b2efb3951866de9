package io.verdict.actors.entry;

import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSpec;
import io.verdict.sharding.job.JobView;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * The node's entry point for new jobs, behind the gRPC services: admission control. At most
 * {@code maxInFlight} jobs submitted through this node are unfinished at once; one more is refused
 * at once with {@link Overloaded} (RESOURCE_EXHAUSTED at the edge) rather than queued without
 * bound. Admitted jobs go to their sharded {@link InferenceJob} entity; the entity's answer goes
 * back to the caller unchanged. A job counts while its caller waits for it: when the caller's
 * wait ends first, the job carries on in its entity but no longer counts here.
 *
 * <p>Requests arrive already validated against the model's signature (the services do that, where
 * the request's own types are); this actor only counts.
 */
public final class JobEntry extends AbstractBehavior<JobEntry.Command> {

    public interface Command {}

    /** Admit {@code spec} and run it; the reply comes when the job is final. */
    public record Submit(JobSpec spec, Duration timeout, ActorRef<StatusReply<JobView>> replyTo) implements Command {}

    /** How many admitted jobs are unfinished. */
    public record InFlight(ActorRef<Integer> replyTo) implements Command {}

    private record Finished(StatusReply<JobView> reply, ActorRef<StatusReply<JobView>> replyTo) implements Command {}

    /** The node has as many unfinished jobs as it admits: back-pressure, retry later. */
    public static final class Overloaded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Overloaded(int inFlight) {
            super("node is at its limit of " + inFlight + " unfinished jobs; retry later");
        }
    }

    public static Behavior<Command> create(int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1");
        }
        return Behaviors.setup(ctx -> new JobEntry(ctx, maxInFlight));
    }

    private final ClusterSharding sharding;
    private final int maxInFlight;
    private int inFlight;

    private JobEntry(ActorContext<Command> context, int maxInFlight) {
        super(context);
        this.sharding = ClusterSharding.get(context.getSystem());
        this.maxInFlight = maxInFlight;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Submit.class, this::onSubmit)
                .onMessage(Finished.class, this::onFinished)
                .onMessage(InFlight.class, this::onInFlight)
                .build();
    }

    private Behavior<Command> onSubmit(Submit submit) {
        if (inFlight >= maxInFlight) {
            submit.replyTo().tell(StatusReply.error(new Overloaded(maxInFlight)));
            return this;
        }
        inFlight++;
        EntityRef<InferenceJob.Command> job = sharding.entityRefFor(InferenceJob.ENTITY_KEY, submit.spec().jobId());
        getContext().<InferenceJob.Command, StatusReply<JobView>>ask(
                castReply(),
                job,
                submit.timeout(),
                replyTo -> new InferenceJob.Submit(submit.spec(), replyTo),
                (reply, failure) -> new Finished(
                        failure != null ? StatusReply.error(failure) : reply, submit.replyTo()));
        return this;
    }

    @SuppressWarnings("unchecked")
    private static Class<StatusReply<JobView>> castReply() {
        return (Class<StatusReply<JobView>>) (Class<?>) StatusReply.class;
    }

    private Behavior<Command> onFinished(Finished finished) {
        inFlight--;
        finished.replyTo().tell(finished.reply());
        return this;
    }

    private Behavior<Command> onInFlight(InFlight query) {
        query.replyTo().tell(inFlight);
        return this;
    }
}
