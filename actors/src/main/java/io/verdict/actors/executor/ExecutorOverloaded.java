package io.verdict.actors.executor;

/** The executor's queue is full: the run was refused, not queued. Back-pressure, not a bug. */
public final class ExecutorOverloaded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ExecutorOverloaded(int queued) {
        super("inference executor is saturated (" + queued + " runs queued); retry later");
    }
}
