package io.verdict.inference.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.math.BigDecimal;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Output canonicalisation rules. Vectors P1..P4: keep in sync with docs/FORMATS.md. */
public class CanonicalOutputTest {

    public static final String P1_HEX = "56444e0101000000060000006f7574707574"
            + "5644540101" + "02000000" + "0100000000000000" + "0400000000000000"
            + "9a99993e" + "000000be" + "0000c03e" + "0000c07f";
    public static final String P1_DIGEST = "sha256:f72a4b8e86481d923ca4251057f2e686a3ae2740cf7127f8677a7ad8e8474cc3";
    public static final String P2_DIGEST = "sha256:1df639bcf21268ad032484311fc5f93a96c7ac2536c838045194045c67d8d9fc";
    public static final String P3_DIGEST = "sha256:13613242c2871ce0cc680905f420c92e5616f115dbced5b8ce5c8219fe2a930f";
    public static final String P4_DIGEST = "sha256:8358e3cc3adbc1af0280e34a48d0bf95b85fbad8879766d2e8c8301455ba256c";

    private static NamedTensors out(float... v) {
        return NamedTensors.of("output", Tensor.ofFloats(Shape.of(1, v.length), v));
    }

    private static Tensor canon(AgreementPolicy p, NamedTensors o) {
        return p.canonicalise(o).tensors().get("output");
    }

    private static final NamedTensors VECTOR_A = out(0.3f, -0.125f, 0.375f, Float.NaN);
    private static final NamedTensors VECTOR_B = out(0.1f, 0.7f, -1f, 0.7f);

    @Test
    void outputDigestVectors() {
        CanonicalOutput exact = AgreementPolicy.EXACT.canonicalise(VECTOR_A);
        assertThat(HexFormat.of().formatHex(exact.bytes())).isEqualTo(P1_HEX);
        assertThat(exact.digest().toString())
                .isEqualTo(P1_DIGEST);

        CanonicalOutput q = AgreementPolicy.parse("QUANTIZED(0.25)").canonicalise(VECTOR_A);
        assertThat(q.tensors().get("output").toLongs()).containsExactly(1, 0, 2, Long.MIN_VALUE);
        assertThat(q.digest().toString())
                .isEqualTo(P2_DIGEST);

        CanonicalOutput argmax = AgreementPolicy.ARGMAX.canonicalise(VECTOR_B);
        assertThat(argmax.tensors().get("output").toLongs()).containsExactly(1);
        assertThat(argmax.tensors().get("output").shape()).isEqualTo(Shape.of(1));
        assertThat(argmax.digest().toString())
                .isEqualTo(P3_DIGEST);

        CanonicalOutput top2 = AgreementPolicy.parse("TOPK(2)").canonicalise(VECTOR_B);
        assertThat(top2.tensors().get("output").toLongs()).containsExactly(1, 3);
        assertThat(top2.digest().toString())
                .isEqualTo(P4_DIGEST);
        assertThat(top2.digest()).isEqualTo(top2.tensors().digest());
    }

    @Test
    void equalValuesGiveEqualDigestsUnderEveryPolicy() {
        for (String p : new String[] {"EXACT", "QUANTIZED(0.01)", "ARGMAX", "TOPK(3)"}) {
            AgreementPolicy policy = AgreementPolicy.parse(p);
            assertThat(policy.canonicalise(out(0.5f, 0.25f, 1f, -2f)))
                    .isEqualTo(policy.canonicalise(out(0.5f, 0.25f, 1f, -2f)));
        }
    }

    @Test
    void exactUnifiesNaNPayloadsButKeepsSignedZero() {
        float otherNaN = Float.intBitsToFloat(0xFFC0_1234);
        assertThat(Float.isNaN(otherNaN)).isTrue();
        assertThat(AgreementPolicy.EXACT.canonicalise(out(1f, Float.NaN)).digest())
                .isEqualTo(AgreementPolicy.EXACT.canonicalise(out(1f, otherNaN)).digest());
        assertThat(canon(AgreementPolicy.EXACT, out(otherNaN)).data()).containsExactly(0x00, 0x00, 0xc0, 0x7f);
        assertThat(AgreementPolicy.EXACT.canonicalise(out(-0f)).digest())
                .isNotEqualTo(AgreementPolicy.EXACT.canonicalise(out(0f)).digest());
        assertThat(AgreementPolicy.EXACT.canonicalise(out(1f)).digest())
                .isNotEqualTo(AgreementPolicy.EXACT.canonicalise(out(Math.nextUp(1f))).digest());
        NamedTensors d = NamedTensors.of("output", Tensor.ofDoubles(Shape.of(2), Double.NaN,
                Double.longBitsToDouble(0xFFF0_0000_0000_0001L)));
        Tensor cd = canon(AgreementPolicy.EXACT, d);
        assertThat(cd.buffer().getLong(0)).isEqualTo(0x7FF8_0000_0000_0000L);
        assertThat(cd.buffer().getLong(8)).isEqualTo(0x7FF8_0000_0000_0000L);
    }

    @Test
    void quantizedMapsValuesWithinHalfAStepOfAGridPointTogether() {
        AgreementPolicy q = AgreementPolicy.parse("QUANTIZED(0.001)");
        // Replica-style noise of ~1e-6 around 0.4273 lands on grid index 427.
        CanonicalOutput a = q.canonicalise(out(0.4273f, -1.25f, 0f));
        CanonicalOutput b = q.canonicalise(out(0.4273f + 1e-6f, -1.25f - 1e-6f, -0f));
        CanonicalOutput c = q.canonicalise(out(0.4273f - 1e-6f, -1.25f + 2e-6f, 1e-7f));
        assertThat(a.tensors().get("output").toLongs()).containsExactly(427, -1250, 0);
        assertThat(a.tensors().get("output").dtype()).isEqualTo(DType.INT64);
        assertThat(b.digest()).isEqualTo(a.digest());
        assertThat(c.digest()).isEqualTo(a.digest());
        // A different grid point gives a different digest.
        assertThat(q.canonicalise(out(0.4283f, -1.25f, 0f)).digest()).isNotEqualTo(a.digest());
    }

    @Test
    void quantizedRoundsHalfToEvenOnTheExactQuotient() {
        AgreementPolicy q = AgreementPolicy.parse("QUANTIZED(0.5)");
        assertThat(canon(q, out(0.25f, 0.75f, -0.25f, -0.75f, 1.25f)).toLongs()).containsExactly(0, 2, 0, -2, 2);
        // 0.1f is slightly above 0.1, so 0.1f / 0.2 is slightly above 0.5: exact arithmetic rounds up.
        AgreementPolicy q2 = AgreementPolicy.parse("QUANTIZED(0.2)");
        assertThat(canon(q2, out(0.1f)).toLongs()).containsExactly(1);
        // 0.1 (double) is also slightly above 0.1 decimal.
        NamedTensors d = NamedTensors.of("output", Tensor.ofDoubles(Shape.of(2), 0.1, 0.3));
        assertThat(canon(q2, d).toLongs()).containsExactly(1, 1); // 0.3 (double) < 0.3 → 1.4999… → 1
    }

    @Test
    void quantizedSentinelsOverflowAndPassThrough() {
        AgreementPolicy q = AgreementPolicy.parse("QUANTIZED(0.001)");
        assertThat(canon(q, out(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)).toLongs())
                .containsExactly(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1);
        assertThatThrownBy(() -> q.canonicalise(out(Float.MAX_VALUE)))
                .isInstanceOf(OutputNotCanonicalisable.class).hasMessageContaining("int64");
        NamedTensors ok = NamedTensors.of("output", Tensor.ofDoubles(Shape.of(1), 9.2e15));
        assertThat(canon(q, ok).toLongs()).containsExactly(9_200_000_000_000_000_000L);
        NamedTensors ints = NamedTensors.of(Map.of("ids", Tensor.ofInts(Shape.of(2), 3, 4),
                "flags", Tensor.ofBools(Shape.of(1), true)));
        assertThat(q.canonicalise(ints).tensors()).isEqualTo(ints);
    }

    @Test
    void quantizedFastPathAgreesWithExactArithmetic() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (String s : new String[] {"0.001", "0.25", "0.1", "3", "0.0000001", "1234.5678"}) {
            BigDecimal step = new BigDecimal(s);
            double stepD = step.doubleValue();
            for (int i = 0; i < 20_000; i++) {
                double v;
                if (i % 3 == 0) {
                    // exactly on or next to a half-step boundary
                    v = step.multiply(BigDecimal.valueOf(rnd.nextInt(-100000, 100000)).add(new BigDecimal("0.5"))).doubleValue();
                    v = switch (i % 4) { case 0 -> Math.nextUp(v); case 1 -> Math.nextDown(v); default -> v; };
                } else {
                    v = (rnd.nextDouble() * 2 - 1) * Math.pow(10, rnd.nextInt(-8, 6));
                }
                if (i % 2 == 0) {
                    v = (float) v;
                }
                assertThat(Canonicaliser.gridIndex("o", v, step, stepD))
                        .as("%s / %s", v, s)
                        .isEqualTo(Canonicaliser.exactGridIndex("o", v, step));
            }
        }
    }

    @Test
    void argmaxTiesGoToTheLowestIndexAndNaNRanksHighest() {
        assertThat(canon(AgreementPolicy.ARGMAX, out(1f, 3f, 3f, 2f)).toLongs()).containsExactly(1);
        assertThat(canon(AgreementPolicy.ARGMAX, out(0f, -0f)).toLongs()).containsExactly(0);
        assertThat(canon(AgreementPolicy.ARGMAX, out(-0f, 0f)).toLongs()).containsExactly(0);
        assertThat(canon(AgreementPolicy.ARGMAX, out(1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN)).toLongs())
                .containsExactly(1);
        assertThat(canon(AgreementPolicy.ARGMAX, out(Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY)).toLongs())
                .containsExactly(0);
        // Batched: one index per row, shape drops the last axis.
        NamedTensors batch = NamedTensors.of("output", Tensor.ofFloats(Shape.of(2, 3), 0f, 5f, 1f, 9f, 5f, 9f));
        Tensor r = canon(AgreementPolicy.ARGMAX, batch);
        assertThat(r.shape()).isEqualTo(Shape.of(2));
        assertThat(r.toLongs()).containsExactly(1, 0);
        // Small replica noise that does not change the winner does not change the digest.
        assertThat(AgreementPolicy.ARGMAX.canonicalise(out(0.1f, 0.9f, 0.2f)))
                .isEqualTo(AgreementPolicy.ARGMAX.canonicalise(out(0.1000001f, 0.8999999f, 0.2f)));
        // INT64 is ranked exactly (these differ only beyond double precision).
        NamedTensors longs = NamedTensors.of("output", Tensor.ofLongs(Shape.of(2), (1L << 60), (1L << 60) + 1));
        assertThat(canon(AgreementPolicy.ARGMAX, longs).toLongs()).containsExactly(1);
    }

    @Test
    void topKOrdersByDescendingValueThenLowestIndex() {
        AgreementPolicy top3 = AgreementPolicy.parse("TOPK(3)");
        assertThat(canon(top3, out(0.5f, 0.9f, 0.5f, 0.1f, 0.9f)).toLongs()).containsExactly(1, 4, 0);
        assertThat(canon(top3, out(Float.NaN, 2f, Float.NEGATIVE_INFINITY, Float.NaN)).toLongs()).containsExactly(0, 3, 1);
        NamedTensors batch = NamedTensors.of("output", Tensor.ofInts(Shape.of(2, 1, 3), 1, 2, 3, 3, 2, 1));
        Tensor r = canon(new AgreementPolicy.TopK(2), batch);
        assertThat(r.shape()).isEqualTo(Shape.of(2, 1, 2));
        assertThat(r.toLongs()).containsExactly(2, 1, 0, 1);
        NamedTensors all = out(3f, 1f, 2f);
        assertThat(canon(new AgreementPolicy.TopK(3), all).toLongs()).containsExactly(0, 2, 1);
    }

    @Test
    void topKWithMoreThanTheClassCountIsRejected() {
        assertThatThrownBy(() -> new AgreementPolicy.TopK(4).canonicalise(out(1f, 2f, 3f)))
                .isInstanceOf(OutputNotCanonicalisable.class)
                .hasMessageContaining("output").hasMessageContaining("at least 4 classes");
        NamedTensors scalar = NamedTensors.of("output", Tensor.ofFloats(Shape.SCALAR, 1f));
        assertThatThrownBy(() -> AgreementPolicy.ARGMAX.canonicalise(scalar)).isInstanceOf(OutputNotCanonicalisable.class);
        NamedTensors noClasses = NamedTensors.of("output", Tensor.ofFloats(Shape.of(2, 0)));
        assertThatThrownBy(() -> AgreementPolicy.ARGMAX.canonicalise(noClasses)).isInstanceOf(OutputNotCanonicalisable.class);
    }
}
