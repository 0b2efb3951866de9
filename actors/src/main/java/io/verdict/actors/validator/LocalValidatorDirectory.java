package io.verdict.actors.validator;

import io.verdict.sharding.job.ValidatorDirectory;
import io.verdict.sharding.job.ValidatorPool;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A fixed validator directory: the given validators form the epoch's set, all on one node.
 * Immutable, so {@link #snapshot()} is free. Tests and embedded uses only; a node uses
 * {@link ClusterValidatorDirectory} (the registry's epochs and the receptionist's live validators),
 * also when it is a cluster of one.
 */
public final class LocalValidatorDirectory implements ValidatorDirectory {

    private final ValidatorPool pool;

    /**
     * @param validators the hosted validators' actors by address
     * @param node this node's cluster address (committees spread across distinct values of it)
     * @param threshold the smallest quorum q a job of this epoch may use
     */
    public LocalValidatorDirectory(long epoch, int threshold, AttestationDomain domain, String node,
                                   Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> validators) {
        ValidatorSet set = ValidatorSet.of(epoch, validators.keySet(), threshold);
        List<ValidatorPool.ValidatorHandle> handles = set.members().stream()
                .map(a -> new ValidatorPool.ValidatorHandle(a, node, validators.get(a)))
                .toList();
        this.pool = new ValidatorPool(set, domain, handles);
    }

    @Override
    public ValidatorPool snapshot() {
        return pool;
    }
}
