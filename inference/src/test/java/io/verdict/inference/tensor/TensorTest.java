package io.verdict.inference.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TensorTest {

    @Test
    void factoriesRoundTripEveryDtype() {
        Shape s = Shape.of(2, 2);
        assertThat(Tensor.ofFloats(s, 1f, -2f, Float.NaN, -0f).toFloats()).containsExactly(1f, -2f, Float.NaN, -0f);
        assertThat(Tensor.ofDoubles(s, 1, -2, 3, 4).toDoubles()).containsExactly(1, -2, 3, 4);
        assertThat(Tensor.ofInts(s, 1, -2, Integer.MIN_VALUE, 4).toInts()).containsExactly(1, -2, Integer.MIN_VALUE, 4);
        assertThat(Tensor.ofLongs(s, 1, -2, Long.MAX_VALUE, 4).toLongs()).containsExactly(1, -2, Long.MAX_VALUE, 4);
        assertThat(Tensor.ofBools(s, true, false, false, true).toBools()).containsExactly(true, false, false, true);
        Tensor t = Tensor.ofInts(s, 1, 2, 3, 4);
        assertThat(t.elementCount()).isEqualTo(4);
        assertThat(t.byteLength()).isEqualTo(16);
        assertThat(t.data()).startsWith((byte) 1, (byte) 0, (byte) 0, (byte) 0, (byte) 2); // little-endian
    }

    @Test
    void byteLengthMustMatchShapeTimesDtypeSize() {
        assertThatThrownBy(() -> new Tensor(DType.FLOAT32, Shape.of(2, 3), new byte[23]))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("needs 24 data bytes");
        assertThatThrownBy(() -> Tensor.ofFloats(Shape.of(3), 1f, 2f)).isInstanceOf(InvalidTensor.class);
        assertThat(new Tensor(DType.INT64, Shape.of(0, 5), new byte[0]).elementCount()).isZero();
        assertThat(new Tensor(DType.FLOAT64, Shape.SCALAR, new byte[8]).elementCount()).isOne();
    }

    @Test
    void boolBytesMustBeZeroOrOne() {
        assertThatThrownBy(() -> new Tensor(DType.BOOL, Shape.of(2), new byte[] {1, 2}))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("element 1");
    }

    @Test
    void shapesOfTensorsAreConcrete() {
        assertThatThrownBy(() -> Shape.of(-1, 3)).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> Shape.pattern(-2)).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> new Tensor(DType.FLOAT32, Shape.pattern(-1), new byte[0])).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> Shape.of(Long.MAX_VALUE, 4).elementCount()).isInstanceOf(InvalidTensor.class);
        assertThat(Shape.pattern(-1, 3).admits(Shape.of(7, 3))).isTrue();
        assertThat(Shape.pattern(-1, 3).admits(Shape.of(7, 4))).isFalse();
        assertThat(Shape.pattern(-1, 3).admits(Shape.of(3))).isFalse();
    }

    @Test
    void tensorsAreImmutableValues() {
        byte[] data = {0, 0, (byte) 0x80, 0x3f};
        Tensor t = new Tensor(DType.FLOAT32, Shape.of(1), data);
        data[3] = 0;
        t.data()[3] = 0;
        long[] dims = t.shape().dims();
        dims[0] = 9;
        assertThat(t.toFloats()).containsExactly(1f);
        assertThat(t.shape()).isEqualTo(Shape.of(1));
        assertThat(t).isEqualTo(Tensor.ofFloats(Shape.of(1), 1f)).hasSameHashCodeAs(Tensor.ofFloats(Shape.of(1), 1f));
        assertThat(t).isNotEqualTo(Tensor.ofInts(Shape.of(1), 0x3f800000));
    }

    @Test
    void namedTensorsAreSortedByUtf8BytesAndRejectBadNames() {
        Tensor x = Tensor.ofInts(Shape.SCALAR, 1);
        // U+FFFF sorts after U+1F600 in UTF-16 order, but before it in UTF-8 byte order.
        NamedTensors n = NamedTensors.of(Map.of("\uD83D\uDE00", x, "\uFFFF", x, "B", x, "a", x));
        assertThat(n.names()).containsExactly("B", "a", "\uFFFF", "\uD83D\uDE00");
        assertThatThrownBy(() -> NamedTensors.of("", x)).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> NamedTensors.of("\uD83D", x)).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> NamedTensors.of("x".repeat(1025), x)).isInstanceOf(InvalidTensor.class);
        assertThatThrownBy(() -> n.asMap().put("c", x)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> n.get("nope")).isInstanceOf(MissingTensor.class);
    }
}
