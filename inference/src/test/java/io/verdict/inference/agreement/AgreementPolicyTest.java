package io.verdict.inference.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.Shape;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgreementPolicyTest {

    @Test
    void canonicalTextForms() {
        assertThat(AgreementPolicy.EXACT.canonicalText()).isEqualTo("EXACT");
        assertThat(AgreementPolicy.ARGMAX.canonicalText()).isEqualTo("ARGMAX");
        assertThat(new AgreementPolicy.TopK(5).canonicalText()).isEqualTo("TOPK(5)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("0.0010")).canonicalText()).isEqualTo("QUANTIZED(0.001)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("1E-3")).canonicalText()).isEqualTo("QUANTIZED(0.001)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("2.50")).canonicalText()).isEqualTo("QUANTIZED(2.5)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("20")).canonicalText()).isEqualTo("QUANTIZED(20)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("1.000")).canonicalText()).isEqualTo("QUANTIZED(1)");
        assertThat(new AgreementPolicy.Quantized(new BigDecimal("0.0010")))
                .isEqualTo(new AgreementPolicy.Quantized(new BigDecimal("0.001")));
    }

    @Test
    void parseRoundTrips() {
        for (String s : List.of("EXACT", "ARGMAX", "TOPK(1)", "TOPK(5)", "TOPK(1000)", "QUANTIZED(0.001)",
                "QUANTIZED(1)", "QUANTIZED(20)", "QUANTIZED(0.5)", "QUANTIZED(123.25)", "QUANTIZED(0.000000001)")) {
            AgreementPolicy p = AgreementPolicy.parse(s);
            assertThat(p.canonicalText()).isEqualTo(s);
            assertThat(p.toString()).isEqualTo(s);
            assertThat(AgreementPolicy.parse(p.canonicalText())).isEqualTo(p);
        }
        assertThat(AgreementPolicy.parse("TOPK(3)")).isEqualTo(new AgreementPolicy.TopK(3));
        assertThat(AgreementPolicy.parse("QUANTIZED(0.001)")).isEqualTo(AgreementPolicy.Quantized.of("0.001"));
    }

    @Test
    void parseRejectsEverythingElse() {
        for (String s : List.of("", "exact", "Exact", " EXACT", "EXACT ", "ARGMAX()", "TOPK", "TOPK()", "TOPK(0)",
                "TOPK(-1)", "TOPK(01)", "TOPK(1.0)", "TOPK( 2)", "TOPK(99999999999)", "QUANTIZED", "QUANTIZED()",
                "QUANTIZED(0)", "QUANTIZED(0.0)", "QUANTIZED(-0.1)", "QUANTIZED(+0.1)", "QUANTIZED(.5)", "QUANTIZED(1.)",
                "QUANTIZED(0.0010)", "QUANTIZED(1.0)", "QUANTIZED(1e-3)", "QUANTIZED(1E-3)", "QUANTIZED(00.5)",
                "QUANTIZED(0,5)", "QUANTIZED(NaN)", "QUANTIZED(0.001", "TOPK(3))",
                "QUANTIZED(0." + "0".repeat(70) + "1)", "QUANTIZED(1" + "0".repeat(70) + ")")) {
            assertThatThrownBy(() -> AgreementPolicy.parse(s)).as(s).isInstanceOf(InvalidAgreementPolicy.class);
        }
        assertThatThrownBy(() -> AgreementPolicy.parse(null)).isInstanceOf(InvalidAgreementPolicy.class);
        assertThatThrownBy(() -> new AgreementPolicy.TopK(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AgreementPolicy.Quantized.of("-1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void applicabilityIsCheckedAgainstTheSignature() {
        ModelSignature sig = ModelSignature.of(
                List.of(new TensorSpec("input", DType.FLOAT32, Shape.pattern(-1, 64))),
                List.of(new TensorSpec("output", DType.FLOAT32, Shape.pattern(-1, 10))));
        AgreementPolicy.ARGMAX.checkApplicable(sig);
        new AgreementPolicy.TopK(10).checkApplicable(sig);
        AgreementPolicy.EXACT.checkApplicable(sig);
        assertThatThrownBy(() -> new AgreementPolicy.TopK(11).checkApplicable(sig))
                .isInstanceOf(OutputNotCanonicalisable.class).hasMessageContaining("output");
        ModelSignature scalar = ModelSignature.of(List.of(),
                List.of(new TensorSpec("score", DType.FLOAT32, Shape.SCALAR)));
        assertThatThrownBy(() -> AgreementPolicy.ARGMAX.checkApplicable(scalar)).isInstanceOf(OutputNotCanonicalisable.class);
    }
}
