package io.verdict.actors.executor;

import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.agreement.CanonicalOutput;
import io.verdict.inference.engine.Engines;
import io.verdict.inference.engine.InferenceEngine;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensor.NamedTensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The node's inference executor: runs models on its own fixed pool of threads, never on actor
 * threads, behind a bounded queue. When the queue is full a new run fails at once with
 * {@link ExecutorOverloaded} (callers turn that into back-pressure) instead of piling up work.
 *
 * <p>Models are loaded on first use, once per digest, on the executor's threads; the artifact is
 * verified against its digest before the engine reads it (see {@link InferenceEngine#load}).
 * Loaded models stay loaded until {@link #close()}.
 */
public final class ModelExecutor implements AutoCloseable {

    /**
     * @param threads concurrent runs; one intra-op thread each (the engine's settings), so the
     *     number of cores is the natural value
     * @param queueCapacity runs waiting for a thread before new ones are refused
     */
    public record Settings(int threads, int queueCapacity) {
        public Settings {
            if (threads < 1 || queueCapacity < 0) {
                throw new IllegalArgumentException("threads must be >= 1 and queueCapacity >= 0");
            }
        }

        public static Settings defaults() {
            return new Settings(Runtime.getRuntime().availableProcessors(), 256);
        }
    }

    private final Function<Path, InferenceEngine> engineFor;
    private final Function<ModelDigest, Path> locator;
    private final ThreadPoolExecutor pool;
    private final Map<ModelDigest, CompletableFuture<LoadedModel>> loaded = new ConcurrentHashMap<>();

    /**
     * @param locator where the verified artifact of a digest lives on this node; throws
     *     {@link ModelUnavailable} when the node does not have it
     */
    public ModelExecutor(InferenceEngine engine, Function<ModelDigest, Path> locator, Settings settings) {
        this(dir -> engine, locator, settings);
    }

    /**
     * With several engines: each artifact is loaded by the engine its layout calls for
     * ({@link Engines#forArtifact}), so a TensorFlow SavedModel and an ONNX model run side by side.
     */
    public ModelExecutor(Engines engines, Function<ModelDigest, Path> locator, Settings settings) {
        this(engines::forArtifact, locator, settings);
    }

    private ModelExecutor(Function<Path, InferenceEngine> engineFor, Function<ModelDigest, Path> locator,
                          Settings settings) {
        this.engineFor = engineFor;
        this.locator = locator;
        this.pool = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0L, TimeUnit.MILLISECONDS,
                settings.queueCapacity() == 0
                        ? new java.util.concurrent.SynchronousQueue<>()
                        : new ArrayBlockingQueue<>(settings.queueCapacity()),
                namedThreads(), new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code model} on {@code inputs} and canonicalises the outputs under {@code policy}.
     * Completes with the typed failure: {@link ExecutorOverloaded}, {@link ModelUnavailable},
     * a {@link io.verdict.inference.tensor.TensorException} for inputs the model refuses, an
     * {@link io.verdict.inference.engine.EngineException} for runtime failures.
     */
    public CompletionStage<CanonicalOutput> execute(ModelDigest model, AgreementPolicy policy, NamedTensors inputs) {
        return submit(() -> policy.canonicalise(model(model).run(inputs)));
    }

    /**
     * The signature of {@code model}, loading it first if needed (so a model described at publish
     * time is warm for its first job). Fails like {@link #execute}.
     */
    public CompletionStage<ModelSignature> describe(ModelDigest model) {
        return submit(() -> model(model).signature());
    }

    /**
     * Runs {@code task} on the executor's threads (for work that belongs with a run, such as
     * signing its result), with the same bounded queue.
     */
    public <T> CompletionStage<T> submit(java.util.function.Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ExecutorOverloaded(pool.getQueue().size()));
        }
    }

    /** The loaded model for {@code digest}, loading it first if needed. Call from pool threads only. */
    private LoadedModel model(ModelDigest digest) {
        CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
        CompletableFuture<LoadedModel> existing = loaded.putIfAbsent(digest, mine);
        if (existing == null) {
            try {
                Path dir = locator.apply(digest);
                mine.complete(engineFor.apply(dir).load(dir, digest));
            } catch (RuntimeException e) {
                loaded.remove(digest, mine);
                mine.completeExceptionally(e);
            }
            return mine.join();
        }
        try {
            return existing.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** Runs waiting for a thread now. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** Digests of the models loaded on this node. */
    public List<ModelDigest> loadedModels() {
        List<ModelDigest> out = new ArrayList<>();
        loaded.forEach((d, f) -> {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                out.add(d);
            }
        });
        out.sort(null);
        return out;
    }

    /** Stops taking work, waits briefly for runs in progress, then closes every loaded model. */
    @Override
    public void close() {
        pool.shutdown();
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loaded.values().forEach(f -> {
            if (f.isDone() && !f.isCompletedExceptionally()) {
                f.join().close();
            }
        });
        loaded.clear();
    }

    private static ThreadFactory namedThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "verdict-executor-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
