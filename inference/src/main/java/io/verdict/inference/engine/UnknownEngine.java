package io.verdict.inference.engine;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** An engine was asked for by a name that no registered engine has. */
public final class UnknownEngine extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String engineName;
    private final transient SortedSet<String> known;

    public UnknownEngine(String engineName, Set<String> known) {
        super("unknown engine '" + engineName + "'; available: " + new TreeSet<>(known));
        this.engineName = engineName;
        this.known = new TreeSet<>(known);
    }

    public String engineName() {
        return engineName;
    }

    public SortedSet<String> known() {
        return new TreeSet<>(known);
    }
}
