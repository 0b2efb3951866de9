package io.verdict.inference.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.InvalidTensor;
import io.verdict.inference.tensor.MissingTensor;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.inference.tensor.TensorDTypeMismatch;
import io.verdict.inference.tensor.TensorShapeMismatch;
import io.verdict.inference.tensor.UnknownTensorName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelSignatureTest {

    static final ModelSignature SIG = ModelSignature.of(
            List.of(new TensorSpec("image", DType.FLOAT32, Shape.pattern(-1, 2, 2)),
                    new TensorSpec("k", DType.INT64, Shape.SCALAR)),
            List.of(new TensorSpec("output", DType.FLOAT32, Shape.pattern(-1, 10))));

    private static Tensor image(long batch) {
        return Tensor.ofFloats(Shape.of(batch, 2, 2), new float[(int) batch * 4]);
    }

    @Test
    void acceptsAnyBatchWhereTheSignatureSaysMinusOne() {
        for (long batch : new long[] {0, 1, 7}) {
            SIG.validate(NamedTensors.of(Map.of("image", image(batch), "k", Tensor.ofLongs(Shape.SCALAR, 3))));
        }
    }

    @Test
    void rejectsUnknownAndMissingNames() {
        Tensor k = Tensor.ofLongs(Shape.SCALAR, 3);
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of(Map.of("image", image(1), "k", k, "extra", k))))
                .isInstanceOf(UnknownTensorName.class).hasMessageContaining("extra")
                .satisfies(e -> assertThat(((UnknownTensorName) e).known()).containsExactly("image", "k"));
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of("image", image(1))))
                .isInstanceOf(MissingTensor.class).hasMessageContaining("'k'");
    }

    @Test
    void rejectsWrongDtype() {
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of(Map.of("image", image(1), "k", Tensor.ofInts(Shape.SCALAR, 3)))))
                .isInstanceOf(TensorDTypeMismatch.class)
                .satisfies(e -> {
                    TensorDTypeMismatch m = (TensorDTypeMismatch) e;
                    assertThat(m.tensorName()).isEqualTo("k");
                    assertThat(m.expected()).isEqualTo(DType.INT64);
                    assertThat(m.actual()).isEqualTo(DType.INT32);
                });
    }

    @Test
    void rejectsWrongRankAndDimensions() {
        Tensor k = Tensor.ofLongs(Shape.SCALAR, 3);
        Tensor wrongDim = Tensor.ofFloats(Shape.of(1, 2, 3), new float[6]);
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of(Map.of("image", wrongDim, "k", k))))
                .isInstanceOf(TensorShapeMismatch.class)
                .satisfies(e -> {
                    TensorShapeMismatch m = (TensorShapeMismatch) e;
                    assertThat(m.tensorName()).isEqualTo("image");
                    assertThat(m.expected()).isEqualTo(Shape.pattern(-1, 2, 2));
                    assertThat(m.actual()).isEqualTo(Shape.of(1, 2, 3));
                });
        Tensor wrongRank = Tensor.ofFloats(Shape.of(4), new float[4]);
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of(Map.of("image", wrongRank, "k", k))))
                .isInstanceOf(TensorShapeMismatch.class).hasMessageContaining("[-1, 2, 2]");
        assertThatThrownBy(() -> SIG.validate(NamedTensors.of(Map.of("image", image(1), "k", Tensor.ofLongs(Shape.of(1), 3)))))
                .isInstanceOf(TensorShapeMismatch.class);
    }

    @Test
    void byteLengthIsCheckedBeforeAnySignatureSeesTheTensor() {
        // A tensor whose bytes do not match its shape cannot exist, so it never reaches validate().
        assertThatThrownBy(() -> new Tensor(DType.FLOAT32, Shape.of(1, 2, 2), new byte[15]))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("16");
    }

    @Test
    void outputsThatBreakTheSignatureAreEngineFaults() {
        assertThatThrownBy(() -> SIG.checkOutputs(NamedTensors.of("output", Tensor.ofFloats(Shape.of(1, 9), new float[9]))))
                .isInstanceOf(EngineException.class);
        assertThatThrownBy(() -> SIG.checkOutputs(NamedTensors.empty())).isInstanceOf(EngineException.class);
        SIG.checkOutputs(NamedTensors.of("output", Tensor.ofFloats(Shape.of(2, 10), new float[20])));
    }
}
