package io.verdict.inference.agreement;

import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.tensor.NamedTensors;
import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How replicas of a job must agree: the output is canonicalised under the policy and validators
 * sign the digest of the canonical output. The canonical text form ({@link #canonicalText()}) is
 * what attestations carry; it is exactly one of
 * <pre>
 * EXACT | QUANTIZED(&lt;step&gt;) | ARGMAX | TOPK(&lt;k&gt;)
 * </pre>
 * where {@code <step>} is a positive decimal in plain notation without trailing zeros
 * ({@code BigDecimal.stripTrailingZeros().toPlainString()}, e.g. {@code 0.001}, {@code 1},
 * {@code 20}) and {@code <k>} a positive integer without leading zeros. {@link #parse(String)}
 * accepts only these exact strings. Rules: docs/FORMATS.md, "agreement policies".
 */
public sealed interface AgreementPolicy
        permits AgreementPolicy.Exact, AgreementPolicy.Quantized, AgreementPolicy.Argmax, AgreementPolicy.TopK {

    Exact EXACT = new Exact();
    Argmax ARGMAX = new Argmax();

    /** The canonical text form, e.g. {@code QUANTIZED(0.001)}. */
    String canonicalText();

    /** Canonicalises model outputs under this policy; the result's digest is the output digest. */
    default CanonicalOutput canonicalise(NamedTensors outputs) {
        return CanonicalOutput.of(this, Canonicaliser.apply(this, outputs));
    }

    /**
     * Checks at publication time that every declared output can be canonicalised under this policy
     * (ARGMAX/TOPK need rank &ge; 1 and, where the class dimension is known, at least 1 / k classes).
     *
     * @throws OutputNotCanonicalisable naming the first output that cannot
     */
    default void checkApplicable(ModelSignature signature) {
        for (TensorSpec spec : signature.outputs().values()) {
            int rank = spec.shape().rank();
            long need = this instanceof TopK t ? t.k() : this instanceof Argmax ? 1 : 0;
            if (need == 0) {
                continue;
            }
            if (rank == 0) {
                throw new OutputNotCanonicalisable(spec.name(), canonicalText() + " needs a tensor of rank >= 1");
            }
            long classes = spec.shape().dim(rank - 1);
            if (classes != -1 && classes < need) {
                throw new OutputNotCanonicalisable(spec.name(),
                        canonicalText() + " needs at least " + need + " classes on the last axis, the model declares " + classes);
            }
        }
    }

    /** Parses a canonical text form; anything else (other spelling, spaces, non-canonical numbers) is rejected. */
    static AgreementPolicy parse(String text) {
        if (text == null || text.length() > 80) {
            throw new InvalidAgreementPolicy(text);
        }
        if (text.equals("EXACT")) {
            return EXACT;
        }
        if (text.equals("ARGMAX")) {
            return ARGMAX;
        }
        Matcher q = Syntax.QUANTIZED.matcher(text);
        if (q.matches()) {
            BigDecimal step = new BigDecimal(q.group(1));
            if (step.signum() <= 0) {
                throw new InvalidAgreementPolicy(text);
            }
            Quantized policy;
            try {
                policy = new Quantized(step);
            } catch (IllegalArgumentException e) {
                throw new InvalidAgreementPolicy(text);
            }
            if (!policy.canonicalText().equals(text)) {
                throw new InvalidAgreementPolicy(text);
            }
            return policy;
        }
        Matcher k = Syntax.TOPK.matcher(text);
        if (k.matches()) {
            long value = Long.parseLong(k.group(1));
            if (value > Integer.MAX_VALUE) {
                throw new InvalidAgreementPolicy(text);
            }
            return new TopK((int) value);
        }
        throw new InvalidAgreementPolicy(text);
    }

    /** Digest over the raw output bytes, NaN payloads unified. */
    record Exact() implements AgreementPolicy {
        @Override
        public String canonicalText() {
            return "EXACT";
        }

        @Override
        public String toString() {
            return canonicalText();
        }
    }

    /** Floating outputs replaced by their int64 grid index {@code round(v / step)}, ties to even. */
    record Quantized(BigDecimal step) implements AgreementPolicy {
        public Quantized {
            if (step == null || step.signum() <= 0) {
                throw new IllegalArgumentException("QUANTIZED step must be > 0: " + step);
            }
            step = step.stripTrailingZeros();
            if (step.precision() > 40 || step.scale() > 60 || step.scale() < -40) {
                throw new IllegalArgumentException("QUANTIZED step out of supported range: " + step);
            }
        }

        public static Quantized of(String step) {
            return new Quantized(new BigDecimal(step));
        }

        @Override
        public String canonicalText() {
            return "QUANTIZED(" + step.toPlainString() + ")";
        }

        @Override
        public String toString() {
            return canonicalText();
        }
    }

    /** Index of the largest value on the last axis (int64), ties to the lowest index, NaN largest. */
    record Argmax() implements AgreementPolicy {
        @Override
        public String canonicalText() {
            return "ARGMAX";
        }

        @Override
        public String toString() {
            return canonicalText();
        }
    }

    /** Indices of the k largest values on the last axis (int64), descending, ties to the lowest index. */
    record TopK(int k) implements AgreementPolicy {
        public TopK {
            if (k < 1) {
                throw new IllegalArgumentException("TOPK k must be >= 1: " + k);
            }
        }

        @Override
        public String canonicalText() {
            return "TOPK(" + k + ")";
        }

        @Override
        public String toString() {
            return canonicalText();
        }
    }

    /** Grammar of the parameterised forms (holder class: interfaces cannot have private fields). */
    final class Syntax {
        static final Pattern QUANTIZED = Pattern.compile("QUANTIZED\\(((?:0|[1-9][0-9]*)(?:\\.[0-9]*[1-9])?)\\)");
        static final Pattern TOPK = Pattern.compile("TOPK\\(([1-9][0-9]{0,9})\\)");

        private Syntax() {
        }
    }
}
