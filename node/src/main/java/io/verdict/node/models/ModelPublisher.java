package io.verdict.node.models;

import io.verdict.actors.executor.ModelExecutor;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.engine.EngineException;
import io.verdict.inference.engine.ModelSignature;
import io.verdict.inference.engine.TensorSpec;
import io.verdict.inference.model.ModelArtifactException;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.safety.SafetyScan;
import io.verdict.inference.safety.UnsafeModel;
import io.verdict.node.RequestRejected;
import io.verdict.persistence.models.ModelImportException;
import io.verdict.persistence.models.ModelStore;
import io.verdict.persistence.models.SharedModelStore;
import io.verdict.sharding.model.Model;
import io.verdict.sharding.model.ModelNames;
import io.verdict.sharding.model.ModelVersionSpec;
import io.verdict.sharding.model.ModelView;
import io.verdict.sharding.model.TensorSignature;
import io.verdict.sharding.model.VersionLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Publishes a model version: the uploaded zip is imported into the content-addressed store (safe
 * extraction, limits, the digest the publisher claimed checked against the files, and the safety
 * scan of the declared format, {@link SafetyScan}, before the files enter the store), the engine
 * loads it once to read its signature (which also proves it loads, and leaves it warm), the
 * agreement policy and the declared limits are checked against that signature, and only then is the version recorded by
 * the model's entity. On a cluster the artifact is first uploaded to the shared model store, so
 * that every node that sees the version can fetch it. A refused upload leaves nothing behind but
 * the uploaded file, which the caller deletes.
 */
public final class ModelPublisher {

    /**
     * What the publisher declared about the upload.
     *
     * @param engine the engine its format calls for ({@link ModelVersionSpec#ENGINES}); null means TensorFlow
     * @param limits what jobs on the version may send; null means the defaults
     */
    public record Upload(String name, String version, String claimedDigest, String policy, String publishedBy,
                         String engine, VersionLimits limits) {
        public Upload {
            engine = engine == null ? ModelVersionSpec.TENSORFLOW : engine;
            limits = VersionLimits.orDefaults(limits);
        }

        /** A TensorFlow SavedModel with the default limits. */
        public Upload(String name, String version, String claimedDigest, String policy, String publishedBy) {
            this(name, version, claimedDigest, policy, publishedBy, ModelVersionSpec.TENSORFLOW, VersionLimits.DEFAULTS);
        }
    }

    private final ModelStore store;
    private final ModelStore.Limits limits;
    private final ModelExecutor executor;
    private final ClusterSharding sharding;
    private final Executor blocking;
    private final Duration timeout;
    private final Optional<SharedModelStore> shared;

    public ModelPublisher(ActorSystem<?> system, ModelStore store, ModelStore.Limits limits, ModelExecutor executor,
                          Duration timeout) {
        this(system, store, limits, executor, timeout, Optional.empty());
    }

    /** With {@code shared}, a version is recorded only after its artifact is in shared storage. */
    public ModelPublisher(ActorSystem<?> system, ModelStore store, ModelStore.Limits limits, ModelExecutor executor,
                          Duration timeout, Optional<SharedModelStore> shared) {
        this.shared = shared;
        this.store = store;
        this.limits = limits;
        this.executor = executor;
        this.sharding = ClusterSharding.get(system);
        this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
        this.timeout = timeout;
    }

    /** Checks what can be checked before any byte is read: name, version, digest syntax, policy. */
    public static void precheck(Upload upload) {
        Optional<String> problem = ModelNames.nameProblem(upload.name())
                .or(() -> ModelNames.versionProblem(upload.version()));
        if (problem.isPresent()) {
            throw RequestRejected.invalid(problem.get());
        }
        try {
            ModelDigest.parse(upload.claimedDigest());
        } catch (IllegalArgumentException e) {
            throw RequestRejected.invalid("model digest must be sha256:<64 lowercase hex>, got '"
                    + upload.claimedDigest() + "'");
        }
        try {
            AgreementPolicy.parse(upload.policy());
        } catch (IllegalArgumentException e) {
            throw RequestRejected.invalid(e.getMessage());
        }
        if (!ModelVersionSpec.ENGINES.contains(upload.engine())) {
            throw RequestRejected.invalid("unsupported engine '" + upload.engine() + "' (supported: "
                    + ModelVersionSpec.ENGINES + ")");
        }
    }

    /**
     * Checks the declared limits against this node's ceilings, before any byte is read: max_batch at
     * most {@code maxBatchCeiling}, max_input_bytes at most {@code maxRequestBytes}. What depends on
     * the signature is checked once the model is loaded.
     */
    public static void precheck(Upload upload, int maxBatchCeiling, long maxRequestBytes) {
        precheck(upload);
        VersionLimits limits = upload.limits();
        if (limits.maxBatch() < 0 || limits.maxBatch() > maxBatchCeiling) {
            throw RequestRejected.invalid("max_batch " + Integer.toUnsignedString(limits.maxBatch())
                    + " is over this node's ceiling of " + maxBatchCeiling + " (verdict.models.max-batch-ceiling);"
                    + " 0 means the default, " + VersionLimits.DEFAULT_MAX_BATCH);
        }
        if (limits.maxInputBytes() < 0 || limits.maxInputBytes() > maxRequestBytes) {
            throw RequestRejected.invalid("max_input_bytes " + Long.toUnsignedString(limits.maxInputBytes())
                    + " is over this node's limit of " + maxRequestBytes + " bytes (verdict.limits.max-request-bytes);"
                    + " 0 means that limit");
        }
    }

    /** Publishes the zip at {@code zip} (see the class comment). */
    public CompletionStage<ModelView> publish(Upload upload, Path zip) {
        try {
            precheck(upload);
        } catch (RequestRejected e) {
            return CompletableFuture.failedFuture(e);
        }
        ModelDigest claimed = ModelDigest.parse(upload.claimedDigest());
        AgreementPolicy policy = AgreementPolicy.parse(upload.policy());
        return CompletableFuture.supplyAsync(() -> importZip(zip, claimed, upload.engine()), blocking)
                .thenCompose(imported -> executor.describe(imported.digest())
                        .exceptionally(e -> {
                            throw unloadable(upload.engine(), e);
                        })
                        .thenCompose(signature -> {
                            try {
                                policy.checkApplicable(signature);
                            } catch (IllegalArgumentException e) {
                                throw RequestRejected.invalid(e.getMessage());
                            }
                            ModelVersionSpec declared = new ModelVersionSpec(upload.version(),
                                    imported.digest().toString(), upload.engine(), policy.canonicalText(),
                                    signatures(signature.inputs().values()), signatures(signature.outputs().values()),
                                    sizeOf(imported.path()), upload.publishedBy(), upload.limits());
                            // The limits are checked against the signature here, before the artifact is
                            // shared; the entity checks the whole spec again before recording it.
                            ModelVersionSpec spec;
                            try {
                                spec = declared.validated();
                            } catch (IllegalArgumentException e) {
                                throw RequestRejected.invalid("cannot publish version " + upload.version()
                                        + " of model " + upload.name() + ": " + e.getMessage());
                            }
                            return share(imported.digest()).thenCompose(shared -> sharding
                                    .entityRefFor(Model.ENTITY_KEY, upload.name())
                                    .<ModelView>askWithStatus(replyTo -> new Model.Publish(spec, replyTo), timeout));
                        }));
    }

    /** Uploads the artifact to shared storage (a no-op on a single node, or when it is there already). */
    private CompletionStage<Boolean> share(ModelDigest digest) {
        if (shared.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        return shared.get().put(digest).exceptionally(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            throw new RequestRejected(RequestRejected.Kind.UNAVAILABLE, "cannot store model " + digest
                    + " in shared storage; retry later (" + cause.getMessage() + ")");
        });
    }

    /** Zips a directory into the uploads folder and publishes it (demo models, local tools). */
    public CompletionStage<ModelView> publishDirectory(Upload upload, Path dir, Path uploads) {
        Path zip;
        try {
            Files.createDirectories(uploads);
            zip = Files.createTempFile(uploads, "publish-", ".zip");
            try (OutputStream out = Files.newOutputStream(zip)) {
                ModelStore.zip(dir, out);
            }
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("cannot zip " + dir, e));
        }
        return publish(upload, zip).whenComplete((v, e) -> deleteQuietly(zip));
    }

    /**
     * Extracts and digest-checks the upload, then runs the safety scan of its declared engine on the
     * extracted files before they enter the store: an unsafe model is refused before any runtime,
     * here or on another node, can load it.
     */
    private ModelStore.Imported importZip(Path zip, ModelDigest claimed, String engine) {
        try (InputStream in = Files.newInputStream(zip)) {
            return store.importZip(in, claimed, limits, dir -> SafetyScan.scan(engine, dir));
        } catch (ModelImportException | UnsafeModel e) {
            throw RequestRejected.invalid(e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the upload", e);
        }
    }

    private static RuntimeException unloadable(String engine, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof EngineException || cause instanceof ModelArtifactException) {
            return RequestRejected.invalid("the artifact is not a loadable " + formatName(engine) + ": "
                    + cause.getMessage());
        }
        return cause instanceof RuntimeException r ? r : new CompletionException(cause);
    }

    /** How people call the format an engine runs. */
    static String formatName(String engine) {
        return ModelVersionSpec.ONNX_RUNTIME.equals(engine) ? "ONNX model" : "TensorFlow SavedModel";
    }

    private static List<TensorSignature> signatures(java.util.Collection<TensorSpec> specs) {
        return specs.stream()
                .map(s -> new TensorSignature(s.name(), s.dtype().name(), s.shape().toString()))
                .toList();
    }

    private static long sizeOf(Path dir) {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // an upload left in the uploads folder is harmless; it is cleared on the next start
        }
    }
}
