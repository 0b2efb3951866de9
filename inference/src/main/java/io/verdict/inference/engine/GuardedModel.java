package io.verdict.inference.engine;

import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The part of {@link LoadedModel}'s contract every engine shares, written once: inputs are
 * validated against the signature before the runtime sees them; runs hold a read lock, so any
 * number run at once; {@link #close()} takes the write lock, so it waits for runs in flight, and
 * releases the runtime's resources exactly once; a run after close throws
 * {@link IllegalStateException}. An engine supplies {@link #execute} and {@link #release}.
 */
public abstract class GuardedModel implements LoadedModel {

    private final ModelDigest digest;
    private final ModelSignature signature;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    protected GuardedModel(ModelDigest digest, ModelSignature signature) {
        this.digest = digest;
        this.signature = signature;
    }

    @Override
    public final ModelDigest digest() {
        return digest;
    }

    @Override
    public final ModelSignature signature() {
        return signature;
    }

    @Override
    public final NamedTensors run(NamedTensors inputs) {
        signature.validate(inputs);
        lock.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("model " + digest + " is closed");
            }
            return execute(inputs);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public final void close() {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                release();
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Runs the model on inputs that fit the signature (called under the read lock, never after
     * close); returns every declared output, or throws {@link EngineException}.
     */
    protected abstract NamedTensors execute(NamedTensors inputs);

    /** Frees the runtime's resources; called once, under the write lock, with no run in flight. */
    protected abstract void release();
}
