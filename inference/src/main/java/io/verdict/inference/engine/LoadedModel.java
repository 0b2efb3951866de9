package io.verdict.inference.engine;

import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;

/**
 * A model loaded into a runtime. Implementations are safe for concurrent {@link #run} calls;
 * {@link #close()} waits for runs in progress, after which {@code run} throws
 * {@link IllegalStateException}.
 */
public interface LoadedModel extends AutoCloseable {

    /** Digest of the artifact this model was loaded from (verified before loading). */
    ModelDigest digest();

    ModelSignature signature();

    /**
     * Runs the model once. Inputs are validated first ({@link ModelSignature#validate}); a
     * validation failure is a {@link io.verdict.inference.tensor.TensorException}, a runtime
     * failure an {@link EngineException}.
     */
    NamedTensors run(NamedTensors inputs);

    @Override
    void close();
}
