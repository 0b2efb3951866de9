package io.verdict.inference.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.demo.DemoModels.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The demo weights are pinned: the SHA-256 of every parameter's little-endian floats, in
 * generation order. These are the weights the SavedModel export embedded before the ONNX export
 * existed; a change here changes every published demo model.
 */
class DemoWeightsTest {

    static final String MLP_WEIGHTS = "dba7bc0a281c9c159f69f2ac860719c4e5192f9d8e5dfc6523e5c167ed2fb3d6";
    static final String CNN_WEIGHTS = "8be0ba6055ffa1a08599cfe9bbcab1711fed2ef40a8a3e8c8ee1858c2ddb3a6d";

    @Test
    void theWeightsAreTheOnesAlwaysGenerated() throws Exception {
        assertThat(weightsSha256(Kind.MLP)).isEqualTo(MLP_WEIGHTS);
        assertThat(weightsSha256(Kind.CNN)).isEqualTo(CNN_WEIGHTS);
    }

    @Test
    void parametersComeInGenerationOrderWithTheirShapes() {
        assertThat(DemoWeights.of(Kind.MLP).params()).extracting(DemoWeights.Param::toString)
                .containsExactly("dense1/kernel[64, 128]", "dense1/bias[128]", "dense2/kernel[128, 10]", "dense2/bias[10]");
        assertThat(DemoWeights.of(Kind.CNN).params()).extracting(DemoWeights.Param::toString)
                .containsExactly("conv/kernel[3, 3, 1, 8]", "conv/bias[8]", "dense/kernel[1352, 10]", "dense/bias[10]");
        for (float b : DemoWeights.of(Kind.CNN).get("conv/bias").values()) {
            assertThat(Math.abs(b)).isLessThanOrEqualTo(0.1f);
        }
    }

    private static String weightsSha256(Kind kind) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (DemoWeights.Param p : DemoWeights.of(kind).params()) {
            float[] values = p.values();
            ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(values);
            sha.update(b.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
