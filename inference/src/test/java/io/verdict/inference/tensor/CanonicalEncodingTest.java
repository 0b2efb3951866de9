package io.verdict.inference.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.digest.ContentDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Test vectors: keep in sync with docs/FORMATS.md, section "Test vectors". */
public class CanonicalEncodingTest {

    private static final HexFormat HEX = HexFormat.of();

    // Vector T1: FLOAT32, shape [2], values [1.0, -2.5]
    public static final String T1_HEX = "5644540101" + "01000000" + "0200000000000000" + "0000803f" + "000020c0";
    public static final String T1_DIGEST = "sha256:42fc86ef6b00e71304c1d7f9d82d77af5025a28aeedb47516fd89cd6928c4b6c";

    // Vector N1: {"mask": BOOL [2] [true,false], "input": INT32 [1,2] [7,-1]}
    public static final String N1_HEX = "56444e01" + "02000000"
            + "05000000" + "696e707574"
            + "5644540103" + "02000000" + "0100000000000000" + "0200000000000000" + "07000000" + "ffffffff"
            + "04000000" + "6d61736b"
            + "5644540105" + "01000000" + "0200000000000000" + "0100";
    public static final String N1_DIGEST = "sha256:73a7ef2bd9810190508cb6048f194107902566184702b9ec871b0bad32fc50fc";

    // Vector N0: no tensors
    public static final String N0_HEX = "56444e0100000000";
    public static final String N0_DIGEST = "sha256:b35437c1d1d5c4b837fa8ccdcf4c63e217f3f77f276454c6fcd03cacbbe12eb4";

    static NamedTensors n1() {
        return NamedTensors.of(Map.of(
                "mask", Tensor.ofBools(Shape.of(2), true, false),
                "input", Tensor.ofInts(Shape.of(1, 2), 7, -1)));
    }

    @Test
    void tensorVector() {
        Tensor t = Tensor.ofFloats(Shape.of(2), 1.0f, -2.5f);
        byte[] bytes = CanonicalEncoding.encode(t);
        assertThat(HEX.formatHex(bytes)).isEqualTo(T1_HEX);
        assertThat(ContentDigest.of(bytes).toString()).isEqualTo(T1_DIGEST);
        assertThat(CanonicalEncoding.decodeTensor(bytes)).isEqualTo(t);
    }

    @Test
    void namedTensorsVectorIsTheInputDigest() {
        NamedTensors n = n1();
        assertThat(HEX.formatHex(n.canonicalBytes())).isEqualTo(N1_HEX);
        assertThat(n.digest().toString()).isEqualTo(N1_DIGEST);
        assertThat(CanonicalEncoding.decodeNamedTensors(n.canonicalBytes())).isEqualTo(n);
        assertThat(HEX.formatHex(NamedTensors.empty().canonicalBytes())).isEqualTo(N0_HEX);
        assertThat(NamedTensors.empty().digest().toString()).isEqualTo(N0_DIGEST);
    }

    @Test
    void digestDependsOnEveryField() {
        ContentDigest base = n1().digest();
        assertThat(NamedTensors.of(Map.of("mask", Tensor.ofBools(Shape.of(2), true, false),
                "input", Tensor.ofInts(Shape.of(2, 1), 7, -1))).digest()).isNotEqualTo(base);
        assertThat(NamedTensors.of(Map.of("mask", Tensor.ofBools(Shape.of(2), true, false),
                "inpuT", Tensor.ofInts(Shape.of(1, 2), 7, -1))).digest()).isNotEqualTo(base);
        assertThat(NamedTensors.of(Map.of("mask", Tensor.ofBools(Shape.of(2), true, true),
                "input", Tensor.ofInts(Shape.of(1, 2), 7, -1))).digest()).isNotEqualTo(base);
        // Same bytes, other dtype: FLOAT32 bits of 7 and -1 are not the same tensor.
        assertThat(NamedTensors.of("x", Tensor.ofInts(Shape.of(1), 0x3f800000)).digest())
                .isNotEqualTo(NamedTensors.of("x", Tensor.ofFloats(Shape.of(1), 1f)).digest());
    }

    @Test
    void decodingRejectsNonCanonicalBytes() {
        byte[] good = HEX.parseHex(N1_HEX);
        byte[] trailing = HEX.parseHex(N1_HEX + "00");
        assertThatThrownBy(() -> CanonicalEncoding.decodeNamedTensors(trailing)).isInstanceOf(InvalidTensor.class);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> CanonicalEncoding.decodeNamedTensors(truncated)).isInstanceOf(InvalidTensor.class);
        // "mask" before "input": out of order
        String swapped = "56444e01" + "02000000"
                + "04000000" + "6d61736b" + "5644540105" + "01000000" + "0200000000000000" + "0100"
                + "05000000" + "696e707574" + "5644540103" + "02000000" + "0100000000000000" + "0200000000000000"
                + "07000000" + "ffffffff";
        assertThatThrownBy(() -> CanonicalEncoding.decodeNamedTensors(HEX.parseHex(swapped)))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("ascending");
        assertThatThrownBy(() -> CanonicalEncoding.decodeTensor(HEX.parseHex("5644540201" + "00000000")))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("magic");
        assertThatThrownBy(() -> CanonicalEncoding.decodeTensor(HEX.parseHex("5644540109" + "00000000")))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("dtype code 0x09");
        assertThatThrownBy(() -> CanonicalEncoding.decodeTensor(HEX.parseHex("5644540105" + "00000000" + "02")))
                .isInstanceOf(InvalidTensor.class).hasMessageContaining("0 or 1");
    }
}
