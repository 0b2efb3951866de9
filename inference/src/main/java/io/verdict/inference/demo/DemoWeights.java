package io.verdict.inference.demo;

import io.verdict.inference.demo.DemoModels.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded weights of a demo model, the one place they are generated: every export format
 * (SavedModel, ONNX) takes its weights from here, so the formats compute the same function.
 * Values are uniform in Glorot ranges (biases in ±0.1), drawn from {@code new SplittableRandom(seed)}
 * parameter by parameter in {@link #params()} order, each row-major. Never reorder: the order is
 * what fixes every published demo model's weights.
 *
 * @param params in generation order: MLP {@code dense1/kernel [64,128]}, {@code dense1/bias},
 *     {@code dense2/kernel [128,10]}, {@code dense2/bias}; CNN {@code conv/kernel [3,3,1,8]}
 *     (height, width, in, out), {@code conv/bias}, {@code dense/kernel [1352,10]}, {@code dense/bias}
 */
record DemoWeights(Kind kind, List<Param> params) {

    /** Convolution filters of the CNN. */
    static final int FILTERS = 8;
    /** Width of the CNN's flattened feature map: 13 × 13 × {@link #FILTERS}. */
    static final int CNN_FLAT = 13 * 13 * FILTERS;

    DemoWeights {
        params = List.copyOf(params);
    }

    /** One named weight tensor, row-major. */
    record Param(String name, long[] shape, float[] values) {
        Param {
            shape = shape.clone();
            values = values.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Param p && name.equals(p.name) && Arrays.equals(shape, p.shape) && Arrays.equals(values, p.values);
        }

        @Override
        public int hashCode() {
            return 31 * name.hashCode() + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape);
        }
    }

    static DemoWeights of(Kind kind) {
        SplittableRandom rnd = new SplittableRandom(kind.seed());
        List<Param> params = new ArrayList<>();
        switch (kind) {
            case MLP -> {
                dense(params, "dense1", 64, 128, rnd);
                dense(params, "dense2", 128, DemoModels.CLASSES, rnd);
            }
            case CNN -> {
                params.add(param("conv/kernel", new long[] {3, 3, 1, FILTERS}, glorot(9, 9 * FILTERS), rnd));
                params.add(param("conv/bias", new long[] {FILTERS}, 0.1f, rnd));
                dense(params, "dense", CNN_FLAT, DemoModels.CLASSES, rnd);
            }
        }
        return new DemoWeights(kind, params);
    }

    /** The parameter called {@code name}. */
    Param get(String name) {
        for (Param p : params) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no parameter " + name + " in " + kind);
    }

    private static void dense(List<Param> params, String name, int in, int out, SplittableRandom rnd) {
        params.add(param(name + "/kernel", new long[] {in, out}, glorot(in, out), rnd));
        params.add(param(name + "/bias", new long[] {out}, 0.1f, rnd));
    }

    private static Param param(String name, long[] shape, float limit, SplittableRandom rnd) {
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        float[] values = new float[Math.toIntExact(count)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
        return new Param(name, shape, values);
    }

    private static float glorot(int fanIn, int fanOut) {
        return (float) Math.sqrt(6.0 / (fanIn + fanOut));
    }
}
