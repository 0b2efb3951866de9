package io.verdict.actors.validator;

import io.verdict.actors.executor.ModelExecutor;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.CanonicalOutput;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.CanonicalEncoding;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.sharding.job.ValidatorProtocol.Execute;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorKey;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One validator identity hosted by a node. On {@link Execute} it runs the model through the node's
 * {@link ModelExecutor}, canonicalises the output under the job's agreement policy, signs the
 * EIP-712 attestation of what it computed, and replies {@link ValidatorProtocol.Executed}, or
 * {@link ValidatorProtocol.ExecutionFailed} with the reason.
 *
 * <p>All of that work (inference, hashing, signing) runs on the executor's threads; the reply is
 * sent from there to {@code replyTo}. The actor itself holds no mutable state, so nothing is
 * touched from the future's thread but the reply.
 *
 * <p>The validator signs the SHA-256 of the input bytes it actually received, not a digest it was
 * told: a job entity that altered inputs on the way would get votes for a different input digest.
 */
public final class Validator extends AbstractBehavior<Execute> {

    /**
     * How this validator behaves. Anything but {@link #HONEST} exists for tests and demonstrations
     * of the trust model: a validator that lies consistently (signs a wrong output) or never answers.
     */
    public enum Conduct { HONEST, WRONG_OUTPUT, SILENT }

    private static final Logger LOG = LoggerFactory.getLogger(Validator.class);

    private final ValidatorKey key;
    private final AttestationDomain domain;
    private final ModelExecutor executor;
    private final Conduct conduct;
    private final String address;

    public static Behavior<Execute> create(ValidatorKey key, AttestationDomain domain, ModelExecutor executor,
                                           Conduct conduct) {
        return Behaviors.setup(ctx -> new Validator(ctx, key, domain, executor, conduct));
    }

    /** The actor name a validator is spawned under: its address makes it unique in the cluster. */
    public static String actorName(ValidatorKey key) {
        return "validator-" + key.address();
    }

    private Validator(ActorContext<Execute> context, ValidatorKey key, AttestationDomain domain,
                      ModelExecutor executor, Conduct conduct) {
        super(context);
        this.key = key;
        this.domain = domain;
        this.executor = executor;
        this.conduct = conduct;
        this.address = key.address().toString();
        if (conduct != Conduct.HONEST) {
            context.getLog().warn("validator {} runs with conduct {}: for tests and demonstrations only", address,
                    conduct);
        }
    }

    @Override
    public Receive<Execute> createReceive() {
        return newReceiveBuilder().onMessage(Execute.class, this::onExecute).build();
    }

    private Behavior<Execute> onExecute(Execute request) {
        if (conduct == Conduct.SILENT) {
            return this;
        }
        ModelDigest model;
        AgreementPolicy policy;
        NamedTensors inputs;
        try {
            model = ModelDigest.parse(request.modelDigest());
            policy = AgreementPolicy.parse(request.policy());
            inputs = CanonicalEncoding.decodeNamedTensors(request.inputs());
        } catch (RuntimeException e) {
            request.replyTo().tell(new ValidatorProtocol.ExecutionFailed(address, "malformed request: " + e.getMessage()));
            return this;
        }
        executor.execute(model, policy, inputs)
                .thenCompose(output -> executor.submit(() -> sign(request, output)))
                .whenComplete((result, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                ? failure.getCause() : failure;
                        LOG.warn("validator {} could not execute job {}: {}", address, request.jobId(),
                                cause.getMessage());
                        request.replyTo().tell(new ValidatorProtocol.ExecutionFailed(address,
                                String.valueOf(cause.getMessage())));
                    } else {
                        request.replyTo().tell(result);
                    }
                });
        return this;
    }

    private ValidatorProtocol.Executed sign(Execute request, CanonicalOutput output) {
        byte[] bytes = output.bytes();
        if (conduct == Conduct.WRONG_OUTPUT) {
            bytes = Arrays.copyOf(bytes, bytes.length + 1);
            bytes[bytes.length - 1] = 0x5A;
        }
        ContentDigest outputDigest = ContentDigest.of(bytes);
        Attestation attestation = new Attestation(
                JobId.parse(request.jobId()),
                ContentDigest.parse(request.modelDigest()),
                ContentDigest.of(request.inputs()),
                outputDigest,
                PolicyText.of(request.policy()),
                request.epoch());
        Vote vote = Vote.sign(key, domain, attestation);
        return new ValidatorProtocol.Executed(address, outputDigest.toString(), vote.signature().toHex(), bytes);
    }
}
