package io.verdict.inference.agreement;

import io.verdict.inference.tensor.DType;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntBinaryOperator;

/** The canonicalisation rules of docs/FORMATS.md, one method per policy. */
final class Canonicaliser {

    /** Canonical NaN bit patterns (quiet NaN, sign 0, payload 0). */
    static final int FLOAT32_NAN_BITS = 0x7FC0_0000;
    static final long FLOAT64_NAN_BITS = 0x7FF8_0000_0000_0000L;

    /** QUANTIZED sentinels: NaN, +Inf, -Inf; finite indices must satisfy |q| <= MAX_FINITE_INDEX. */
    static final long QUANTIZED_NAN = Long.MIN_VALUE;
    static final long QUANTIZED_POS_INF = Long.MAX_VALUE;
    static final long QUANTIZED_NEG_INF = Long.MIN_VALUE + 1;
    static final long MAX_FINITE_INDEX = Long.MAX_VALUE - 1;

    private static final BigInteger MAX_FINITE = BigInteger.valueOf(MAX_FINITE_INDEX);

    private Canonicaliser() {
    }

    static NamedTensors apply(AgreementPolicy policy, NamedTensors outputs) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : outputs.asMap().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            Tensor c;
            if (policy instanceof AgreementPolicy.Exact) {
                c = exact(t);
            } else if (policy instanceof AgreementPolicy.Quantized q) {
                c = quantized(name, t, q.step());
            } else if (policy instanceof AgreementPolicy.Argmax) {
                c = topK(name, t, 1, true);
            } else if (policy instanceof AgreementPolicy.TopK k) {
                c = topK(name, t, k.k(), false);
            } else {
                throw new IllegalStateException("unknown policy " + policy);
            }
            out.put(name, c);
        }
        return NamedTensors.of(out);
    }

    // ---- EXACT -------------------------------------------------------------------------------

    static Tensor exact(Tensor t) {
        if (!t.dtype().isFloating()) {
            return t;
        }
        ByteBuffer b = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
        if (t.dtype() == DType.FLOAT32) {
            for (int i = 0; i < b.limit(); i += 4) {
                if (Float.isNaN(b.getFloat(i))) {
                    b.putInt(i, FLOAT32_NAN_BITS);
                }
            }
        } else {
            for (int i = 0; i < b.limit(); i += 8) {
                if (Double.isNaN(b.getDouble(i))) {
                    b.putLong(i, FLOAT64_NAN_BITS);
                }
            }
        }
        return new Tensor(t.dtype(), t.shape(), b.array());
    }

    // ---- QUANTIZED ---------------------------------------------------------------------------

    static Tensor quantized(String name, Tensor t, BigDecimal step) {
        if (!t.dtype().isFloating()) {
            return t;
        }
        double[] values = asDoubles(t);
        long[] q = new long[values.length];
        double stepD = step.doubleValue();
        for (int i = 0; i < values.length; i++) {
            q[i] = gridIndex(name, values[i], step, stepD);
        }
        return Tensor.ofLongs(t.shape(), q);
    }

    /**
     * The integer nearest to the exact quotient v / step (ties to even); NaN and ±Inf map to
     * sentinels. A fast double path is used only where it provably agrees with the exact result.
     */
    static long gridIndex(String name, double v, BigDecimal step, double stepD) {
        if (Double.isNaN(v)) {
            return QUANTIZED_NAN;
        }
        if (v == Double.POSITIVE_INFINITY) {
            return QUANTIZED_POS_INF;
        }
        if (v == Double.NEGATIVE_INFINITY) {
            return QUANTIZED_NEG_INF;
        }
        if (Double.isFinite(stepD) && stepD >= Double.MIN_NORMAL * 0x1p60) {
            double q = v / stepD;
            double a = Math.abs(q);
            if (a < 0x1p40) {
                double floor = Math.floor(q);
                double frac = q - floor; // exact for |q| < 2^52
                // |q - exact| <= |q| * 2^-51 (step rounding + division rounding), margin 8x that.
                double margin = a * 0x1p-48 + 0x1p-1000;
                if (Math.abs(frac - 0.5) > margin) {
                    return (long) (frac < 0.5 ? floor : floor + 1);
                }
            }
        }
        return exactGridIndex(name, v, step);
    }

    static long exactGridIndex(String name, double v, BigDecimal step) {
        BigInteger q = new BigDecimal(v).divide(step, 0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        if (q.abs().compareTo(MAX_FINITE) > 0) {
            throw new OutputNotCanonicalisable(name, "value " + v + " / step " + step.toPlainString()
                    + " is outside the int64 grid range ±" + MAX_FINITE_INDEX);
        }
        return q.longValueExact();
    }

    // ---- ARGMAX / TOPK -----------------------------------------------------------------------

    static Tensor topK(String name, Tensor t, int k, boolean dropAxis) {
        Shape shape = t.shape();
        String policy = dropAxis ? "ARGMAX" : "TOPK(" + k + ")";
        if (shape.rank() == 0) {
            throw new OutputNotCanonicalisable(name, policy + " needs a tensor of rank >= 1, got a scalar");
        }
        long classesL = shape.dim(shape.rank() - 1);
        if (classesL < k) {
            throw new OutputNotCanonicalisable(name, policy + " needs at least " + k
                    + " classes on the last axis, got " + classesL);
        }
        int classes = (int) classesL;
        int rows = (int) (t.elementCount() / classes);
        IntBinaryOperator compare = rankingComparator(t);
        long[] out = new long[rows * k];
        Integer[] order = new Integer[classes];
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            for (int c = 0; c < classes; c++) {
                order[c] = c;
            }
            Arrays.sort(order, (i, j) -> {
                int cmp = compare.applyAsInt(base + j, base + i); // descending value
                return cmp != 0 ? cmp : Integer.compare(i, j);                  // then lowest index
            });
            for (int i = 0; i < k; i++) {
                out[r * k + i] = order[i];
            }
        }
        long[] dims = shape.dims();
        long[] outDims = dropAxis ? Arrays.copyOf(dims, dims.length - 1) : dims;
        if (!dropAxis) {
            outDims[outDims.length - 1] = k;
        }
        return Tensor.ofLongs(Shape.of(outDims), out);
    }

    /** Total order for ranking: NaN above +Inf, -0.0 equal to +0.0, otherwise numeric. */
    static int compareForRanking(double a, double b) {
        boolean an = Double.isNaN(a);
        boolean bn = Double.isNaN(b);
        if (an || bn) {
            return an == bn ? 0 : (an ? 1 : -1);
        }
        return a < b ? -1 : (a > b ? 1 : 0);
    }

    /** Compares two elements of {@code t} by flat position, in the ranking order. */
    private static IntBinaryOperator rankingComparator(Tensor t) {
        if (t.dtype() == DType.INT64) {
            long[] longs = t.toLongs();
            return (i, j) -> Long.compare(longs[i], longs[j]);
        }
        double[] values = asDoubles(t);
        return (i, j) -> compareForRanking(values[i], values[j]);
    }

    /** Element values widened to double (exact for FLOAT32, FLOAT64, INT32 and BOOL). */
    private static double[] asDoubles(Tensor t) {
        ByteBuffer b = t.buffer();
        int n = (int) t.elementCount();
        double[] out = new double[n];
        switch (t.dtype()) {
            case FLOAT32 -> { for (int i = 0; i < n; i++) { out[i] = b.getFloat(i * 4); } }
            case FLOAT64 -> { for (int i = 0; i < n; i++) { out[i] = b.getDouble(i * 8); } }
            case INT32 -> { for (int i = 0; i < n; i++) { out[i] = b.getInt(i * 4); } }
            case BOOL -> { for (int i = 0; i < n; i++) { out[i] = b.get(i); } }
            case INT64 -> throw new IllegalStateException("INT64 is ranked exactly, not via double");
            default -> throw new IllegalStateException("unknown dtype " + t.dtype());
        }
        return out;
    }
}
