package io.verdict.inference.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.CanonicalOutput;
import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.tensor.NamedTensors;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** 1000 repeated runs in one JVM give one EXACT output digest (pinned runtime settings). */
class DeterminismTest {

    @ParameterizedTest
    @EnumSource(Kind.class)
    void thousandRunsGiveOneDigest(Kind kind) {
        NamedTensors input = DemoModels.sampleInput(kind, 4, 2024);
        Set<ContentDigest> digests = new HashSet<>();
        Set<ContentDigest> argmax = new HashSet<>();
        try (LoadedModel model = new TensorFlowEngine().load(DemoModelFixture.dir(kind), DemoModelFixture.manifest(kind))) {
            for (int i = 0; i < 1000; i++) {
                NamedTensors out = model.run(input);
                CanonicalOutput exact = AgreementPolicy.EXACT.canonicalise(out);
                digests.add(exact.digest());
                if (i % 100 == 0) {
                    argmax.add(AgreementPolicy.ARGMAX.canonicalise(out).digest());
                }
            }
        }
        assertThat(digests).hasSize(1);
        // Inter-op thread count only schedules independent kernels: same bits with 1 or 4.
        for (int interOp : new int[] {1, 4}) {
            TensorFlowEngine engine = new TensorFlowEngine(new TensorFlowEngine.Settings(1, interOp));
            try (LoadedModel model = engine.load(DemoModelFixture.dir(kind), DemoModelFixture.manifest(kind))) {
                assertThat(AgreementPolicy.EXACT.canonicalise(model.run(input)).digest()).as("inter-op %d", interOp).isIn(digests);
            }
        }
        assertThat(argmax).hasSize(1);
        // A reloaded model (new session) gives the same digest too.
        try (LoadedModel again = new TensorFlowEngine().load(DemoModelFixture.dir(kind), DemoModelFixture.manifest(kind).digest())) {
            assertThat(AgreementPolicy.EXACT.canonicalise(again.run(input)).digest()).isIn(digests);
        }
    }
}
