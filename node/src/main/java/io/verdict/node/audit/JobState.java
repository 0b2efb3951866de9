package io.verdict.node.audit;

/** A job as the audit log knows it: accepted and not final yet, or how it ended. */
public enum JobState {
    RUNNING, AGREED, DISPUTED, FAILED;

    public boolean isFinal() {
        return this != RUNNING;
    }
}
