package io.verdict.actors.validator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.sharding.job.ValidatorPool;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.verification.Address;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.quorum.InvalidValidatorSetException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalValidatorDirectoryTest {

    private static final AttestationDomain DOMAIN =
            new AttestationDomain(31337, Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    private static final String NODE = "pekko://verdict@127.0.0.1:25520";

    @JUnit5TestKit
    ActorTestKit kit = new JUnit5TestKitBuilder().withName("LocalValidatorDirectoryTest").build();

    private Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> hosted(int count) {
        Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> hosted = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            TestProbe<ValidatorProtocol.Execute> probe = kit.createTestProbe();
            hosted.put(ValidatorKey.generate().address(), probe.ref());
        }
        return hosted;
    }

    @Test
    void poolHoldsEveryHostedValidatorOnThisNodeUnderTheEpochsSet() {
        Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> hosted = hosted(3);

        ValidatorPool pool = new LocalValidatorDirectory(5, 2, DOMAIN, NODE, hosted).snapshot();

        assertThat(pool.epoch()).isEqualTo(5);
        assertThat(pool.set().threshold()).isEqualTo(2);
        assertThat(pool.set().members()).containsExactlyInAnyOrderElementsOf(hosted.keySet());
        assertThat(pool.domain()).isEqualTo(DOMAIN);
        assertThat(pool.size()).isEqualTo(3);
        for (Map.Entry<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> e : hosted.entrySet()) {
            ValidatorPool.ValidatorHandle handle = pool.handle(e.getKey()).orElseThrow();
            assertThat(handle.ref()).isEqualTo(e.getValue());
            assertThat(handle.node()).isEqualTo(NODE);
        }
        assertThat(pool.nodes().values()).containsOnly(NODE);
        assertThat(pool.nodesOf(pool.set().members())).hasSize(3).containsOnly(NODE);
    }

    @Test
    void snapshotIsStableAndIndependentOfTheCallersMap() {
        Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> hosted = hosted(2);
        LocalValidatorDirectory directory = new LocalValidatorDirectory(1, 1, DOMAIN, NODE, hosted);
        ValidatorPool first = directory.snapshot();

        hosted.clear();

        assertThat(directory.snapshot()).isSameAs(first);
        assertThat(first.size()).isEqualTo(2);
        assertThat(first.validators()).extracting(ValidatorPool.ValidatorHandle::address)
                .containsExactlyElementsOf(first.set().members());
    }

    @Test
    void refusesAThresholdTheHostedValidatorsCannotReach() {
        assertThatThrownBy(() -> new LocalValidatorDirectory(1, 3, DOMAIN, NODE, hosted(2)))
                .isInstanceOf(InvalidValidatorSetException.class).hasMessageContaining("threshold 3 outside 1..2");
        assertThatThrownBy(() -> new LocalValidatorDirectory(1, 1, DOMAIN, NODE, Map.of()))
                .isInstanceOf(InvalidValidatorSetException.class).hasMessageContaining("at least one member");
    }
}
