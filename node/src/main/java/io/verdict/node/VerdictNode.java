package io.verdict.node;

import com.typesafe.config.Config;
import io.verdict.actors.entry.JobEntry;
import io.verdict.actors.executor.ModelExecutor;
import io.verdict.actors.validator.ClusterValidatorDirectory;
import io.verdict.actors.validator.Validator;
import io.verdict.actors.validator.ValidatorKeyring;
import io.verdict.api.kserve.GRPCInferenceService;
import io.verdict.api.kserve.GRPCInferenceServicePowerApiHandlerFactory;
import io.verdict.api.v1.AuditService;
import io.verdict.api.v1.VerdictService;
import io.verdict.api.v1.VerdictServicePowerApiHandlerFactory;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.Engines;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.node.anchor.Anchoring;
import io.verdict.node.grpc.AuditServiceImpl;
import io.verdict.node.grpc.InferenceServiceImpl;
import io.verdict.node.grpc.VerdictServiceImpl;
import io.verdict.node.models.ModelCatalog;
import io.verdict.node.models.ModelLocator;
import io.verdict.node.models.ModelPublisher;
import io.verdict.persistence.journal.JournalSchema;
import io.verdict.persistence.models.ModelStore;
import io.verdict.persistence.models.SharedModelStore;
import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSettings;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.sharding.model.Model;
import io.verdict.sharding.model.ModelVersionSpec;
import io.verdict.sharding.model.VersionLimits;
import io.verdict.sharding.validators.ValidatorRegistry;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.grpc.javadsl.ServerReflection;
import org.apache.pekko.grpc.javadsl.ServiceHandler;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Verdict node: the actor system (a one-node cluster unless seed nodes are configured), the
 * embedded journal, the model store and executor, the hosted validators, the sharded Model and
 * InferenceJob entities, and the gRPC services on one port. {@link #start} returns when the node
 * serves; {@link #stop} releases everything. Tests run nodes in-process through the same path.
 */
public final class VerdictNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VerdictNode.class);
    private static final Duration ASK = Duration.ofSeconds(30);

    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final ModelExecutor executor;
    private final NodeSettings settings;
    private final List<ValidatorAddress> validators;
    private final Anchoring anchoring;

    private VerdictNode(ActorSystem<Void> system, ServerBinding binding, ModelExecutor executor,
                        NodeSettings settings, List<ValidatorAddress> validators, Anchoring anchoring) {
        this.anchoring = anchoring;
        this.system = system;
        this.binding = binding;
        this.executor = executor;
        this.settings = settings;
        this.validators = validators;
    }

    /** Starts a node from a fully resolved configuration (see {@link Main} for the usual one). */
    public static VerdictNode start(Config appConfig) throws Exception {
        Config config = NodeConfig.withAbsolutePaths(appConfig);
        NodeSettings settings = NodeSettings.from(config);
        Files.createDirectories(settings.dataDir());
        clearUploads(settings.uploadsDir());

        List<ValidatorKey> keys = ValidatorKeyring.loadOrCreate(settings.keysDir(), settings.validatorCount(),
                settings.keystorePassword(), settings.keystoreStrength());
        ModelStore store = new ModelStore(settings.modelsDir());
        ModelLocator locator = new ModelLocator(store);
        ModelExecutor executor = new ModelExecutor(Engines.defaults(), locator, settings.executor());

        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "verdict", config);
        try {
            Cluster cluster = Cluster.get(system);
            if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
                cluster.manager().tell(Join.create(cluster.selfMember().address()));
            }
            if (NodeConfig.isH2(config)) {
                JournalSchema.ensure(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } else {
                locator.share(SharedModelStore.create(system, store, settings.modelLimits()));
            }

            String node = cluster.selfMember().address().toString();
            ValidatorRegistry.init(system);
            ClusterValidatorDirectory directory = ClusterValidatorDirectory.start(system, settings.domain(),
                    settings.directoryRefresh());
            Map<ValidatorAddress, ActorRef<ValidatorProtocol.Execute>> hosted = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                ValidatorKey key = keys.get(i);
                ActorRef<ValidatorProtocol.Execute> ref = system.systemActorOf(
                        Validator.create(key, settings.domain(), executor, settings.conductOf(i)),
                        Validator.actorName(key), Props.empty());
                hosted.put(key.address(), ref);
                ClusterValidatorDirectory.register(system, ref);
            }
            registerValidators(system, directory, node, List.copyOf(hosted.keySet()), settings.threshold());
            JobSettings jobSettings = JobSettings.fromConfig(config);
            Model.init(system);
            InferenceJob.init(system, directory, jobSettings);
            ActorRef<JobEntry.Command> entry = system.systemActorOf(JobEntry.create(settings.maxInFlight()),
                    "job-entry", Props.empty());

            ModelCatalog catalog = new ModelCatalog(system, NodeConfig.readJournal(config), ASK);
            ModelPublisher publisher = new ModelPublisher(system, store, settings.modelLimits(), executor, ASK,
                    locator.shared());
            JournalHealth journal = NodeConfig.isH2(config) ? JournalHealth.embedded()
                    : JournalHealth.cassandra(system, Duration.ofSeconds(1));
            JobService jobs = new JobService(system, catalog, entry, settings, jobSettings, journal);
            Anchoring anchoring = Anchoring.start(system, config, NodeConfig.readJournal(config));
            AtomicBoolean ready = new AtomicBoolean();
            List<ValidatorAddress> addresses = List.copyOf(hosted.keySet());

            @SuppressWarnings("unchecked")
            org.apache.pekko.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> handler = ServiceHandler.concatOrNotFound(
                    GRPCInferenceServicePowerApiHandlerFactory.partial(new InferenceServiceImpl(jobs, catalog,
                            () -> ready.get() && journal.isUp()),
                            GRPCInferenceService.name, system),
                    VerdictServicePowerApiHandlerFactory.partial(new VerdictServiceImpl(system, jobs, catalog, publisher,
                            settings, directory, addresses, node, anchoring), VerdictService.name, system),
                    AuditServiceImpl.start(system, config),
                    ServerReflection.create(List.of(GRPCInferenceService.description, VerdictService.description,
                            AuditService.description), system));
            ServerBinding binding = Http.get(system).newServerAt(settings.grpcHost(), settings.grpcPort())
                    .bind(handler).toCompletableFuture().get(30, TimeUnit.SECONDS);

            if (settings.publishDemoModels()) {
                publishDemoModels(settings, catalog, publisher);
            }
            ready.set(true);
            LOG.info("node {} serving gRPC on {}; validators {}", node, binding.localAddress(), addresses);
            return new VerdictNode(system, binding, executor, settings, addresses, anchoring);
        } catch (Exception | Error e) {
            system.terminate();
            executor.close();
            throw e;
        }
    }

    /**
     * Makes this node's validators members of the cluster's validator set (a new epoch if any is
     * new) and waits until the directory sees them live in it, so the node never serves with a
     * pool that lacks its own validators. The registry may take a while to answer while the
     * cluster forms or the journal starts: retried for up to two minutes.
     */
    private static void registerValidators(ActorSystem<?> system, ClusterValidatorDirectory directory, String node,
                                           List<ValidatorAddress> addresses, int threshold) throws Exception {
        List<String> text = addresses.stream().map(ValidatorAddress::toString).toList();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        ValidatorRegistry.Current current = null;
        Exception last = null;
        while (current == null && System.nanoTime() < deadline) {
            try {
                current = ValidatorRegistry.ref(system)
                        .<ValidatorRegistry.Current>ask(reply -> new ValidatorRegistry.Register(node, text, threshold,
                                reply), Duration.ofSeconds(10))
                        .toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                last = e;
                LOG.info("validator registry not answering yet ({}); retrying", e.toString());
            }
        }
        if (current == null) {
            throw new IllegalStateException("could not register this node's validators with the cluster's "
                    + "validator registry within 2 minutes", last);
        }
        LOG.info("validators {} registered; validator set epoch {} has {} member(s)", text, current.epoch(),
                current.members().size());
        while (!addresses.stream().allMatch(a -> directory.snapshot().handle(a).isPresent())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("this node's validators did not appear in the validator directory "
                        + "within 2 minutes");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Publishes the demo models as version 1 unless they are already published: {@code mlp} and
     * {@code cnn} as TensorFlow SavedModels, {@code mlp-onnx} and {@code cnn-onnx} as ONNX models
     * with the same weights (docs/ENGINES.md).
     */
    private static void publishDemoModels(NodeSettings settings, ModelCatalog catalog, ModelPublisher publisher)
            throws Exception {
        Map<DemoModels.Kind, String> policies = Map.of(DemoModels.Kind.MLP, "EXACT", DemoModels.Kind.CNN, "ARGMAX");
        Path exportRoot = settings.dataDir().resolve("demo-models");
        List<CompletionStage<?>> pending = new ArrayList<>();
        for (DemoModels.Format format : DemoModels.Format.values()) {
            boolean onnx = format == DemoModels.Format.ONNX;
            for (DemoModels.Kind kind : DemoModels.Kind.values()) {
                String name = kind.dirName() + (onnx ? "-onnx" : "");
                boolean published = catalog.get(name).handle((view, failure) -> failure == null)
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (published) {
                    continue;
                }
                Path dir = DemoModels.ensureExported(exportRoot, kind, format);
                String digest = ArtifactManifest.scan(dir).digest().toString();
                pending.add(publisher.publishDirectory(new ModelPublisher.Upload(name, "1", digest,
                        policies.get(kind), "verdict-demo", onnx ? ModelVersionSpec.ONNX_RUNTIME
                        : ModelVersionSpec.TENSORFLOW, VersionLimits.DEFAULTS), dir, settings.uploadsDir()));
            }
        }
        for (CompletionStage<?> p : pending) {
            p.toCompletableFuture().get(120, TimeUnit.SECONDS);
        }
    }

    private static void clearUploads(Path uploads) throws IOException {
        if (Files.isDirectory(uploads)) {
            try (var files = Files.list(uploads)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public int grpcPort() {
        return binding.localAddress().getPort();
    }

    public String grpcHost() {
        return settings.grpcHost();
    }

    public NodeSettings settings() {
        return settings;
    }

    public List<ValidatorAddress> validators() {
        return validators;
    }

    public ActorSystem<Void> system() {
        return system;
    }

    /** Stops serving, leaves the cluster, stops the actor system and closes the loaded models. */
    public void stop() {
        try {
            binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("gRPC server did not stop cleanly: {}", e.toString());
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("actor system did not stop in time: {}", e.toString());
        }
        executor.close();
        anchoring.close();
    }

    @Override
    public void close() {
        stop();
    }
}
