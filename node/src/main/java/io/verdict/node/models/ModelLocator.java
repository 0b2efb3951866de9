package io.verdict.node.models;

import io.verdict.actors.executor.ModelUnavailable;
import io.verdict.inference.model.ModelDigest;
import io.verdict.persistence.models.ModelStore;
import io.verdict.persistence.models.SharedModelStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the executor finds a model's files: the node's {@link ModelStore}; on a cluster, a model the
 * store lacks is first fetched by digest from the {@link SharedModelStore} (which checks the digest
 * before storing it). The executor calls this on its own threads, so waiting here is allowed, up to
 * the configured fetch timeout; every failure is a {@link ModelUnavailable} that says why.
 */
public final class ModelLocator implements Function<ModelDigest, Path> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelLocator.class);

    private final ModelStore store;
    private volatile SharedModelStore shared;

    public ModelLocator(ModelStore store) {
        this.store = store;
    }

    /** From now on, fetch missing models from {@code shared} (a cluster on Cassandra). */
    public void share(SharedModelStore shared) {
        this.shared = shared;
    }

    /** The shared store, if models are shared. */
    public Optional<SharedModelStore> shared() {
        return Optional.ofNullable(shared);
    }

    @Override
    public Path apply(ModelDigest digest) {
        if (store.contains(digest)) {
            return store.path(digest);
        }
        SharedModelStore from = shared;
        if (from == null) {
            throw new ModelUnavailable(digest);
        }
        Duration timeout = from.settings().fetchTimeout();
        LOG.info("fetching model {} from shared storage", digest);
        long start = System.nanoTime();
        try {
            Path path = from.fetch(digest).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("fetched model {} from shared storage in {} ms", digest,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            return path;
        } catch (TimeoutException e) {
            throw new ModelUnavailable(digest, "fetching it from shared storage did not finish within " + timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            LOG.warn("could not fetch model {} from shared storage after {} ms: {}", digest,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), cause.toString());
            throw new ModelUnavailable(digest, String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelUnavailable(digest, "interrupted while fetching it from shared storage", e);
        }
    }
}
