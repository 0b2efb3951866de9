package io.verdict.inference.tensor;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** A tensor was supplied under a name the model does not declare. */
public final class UnknownTensorName extends TensorException {
    private static final long serialVersionUID = 1L;

    private final String tensorName;
    private final transient SortedSet<String> known;

    public UnknownTensorName(String tensorName, Set<String> known) {
        super("unknown tensor '" + tensorName + "'; the model declares " + new TreeSet<>(known));
        this.tensorName = tensorName;
        this.known = new TreeSet<>(known);
    }

    public String tensorName() {
        return tensorName;
    }

    public SortedSet<String> known() {
        return new TreeSet<>(known);
    }
}
