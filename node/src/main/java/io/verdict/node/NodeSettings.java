package io.verdict.node;

import com.typesafe.config.Config;
import io.verdict.actors.executor.ModelExecutor;
import io.verdict.actors.validator.Validator;
import io.verdict.persistence.journal.H2Journal;
import io.verdict.persistence.models.ModelStore;
import io.verdict.sharding.model.VersionLimits;
import io.verdict.verification.Address;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.ValidatorKeystore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The node's settings, read once from {@code verdict { ... }} (see verdict-node.conf). */
public record NodeSettings(
        Path dataDir,
        String grpcHost,
        int grpcPort,
        int validatorCount,
        String keystorePassword,
        ValidatorKeystore.Strength keystoreStrength,
        int threshold,
        Duration directoryRefresh,
        List<Validator.Conduct> conduct,
        AttestationDomain domain,
        ModelExecutor.Settings executor,
        int maxInFlight,
        long maxRequestBytes,
        int defaultR,
        int defaultQ,
        int maxR,
        Duration defaultTimeout,
        boolean allowNonFiniteInputs,
        ModelStore.Limits modelLimits,
        boolean publishDemoModels,
        int maxBatchCeiling) {

    public NodeSettings {
        if (maxBatchCeiling < 1 || maxBatchCeiling > VersionLimits.MAX_BATCH) {
            throw new IllegalArgumentException("verdict.models.max-batch-ceiling must be 1 to " + VersionLimits.MAX_BATCH
                    + ", got " + maxBatchCeiling);
        }
    }

    public static NodeSettings from(Config config) {
        Config v = config.getConfig("verdict");
        int threads = v.getInt("executor.threads");
        return new NodeSettings(
                H2Journal.dataDir(config),
                v.getString("grpc.host"),
                v.getInt("grpc.port"),
                v.getInt("validators.count"),
                v.getString("validators.keystore-password"),
                ValidatorKeystore.Strength.valueOf(v.getString("validators.keystore-strength")),
                v.getInt("validators.threshold"),
                v.getDuration("validators.directory-refresh"),
                v.getStringList("validators.conduct").stream().map(Validator.Conduct::valueOf).toList(),
                new AttestationDomain(v.getLong("chain.id"), Address.parse(v.getString("chain.anchor-contract"))),
                new ModelExecutor.Settings(threads > 0 ? threads : Runtime.getRuntime().availableProcessors(),
                        v.getInt("executor.queue")),
                v.getInt("admission.max-in-flight"),
                v.getBytes("limits.max-request-bytes"),
                v.getInt("limits.default-r"),
                v.getInt("limits.default-q"),
                v.getInt("limits.max-r"),
                v.getDuration("limits.default-timeout"),
                v.getBoolean("limits.allow-non-finite-inputs"),
                new ModelStore.Limits(v.getInt("models.max-files"), v.getBytes("models.max-total-bytes"),
                        v.getBytes("models.max-upload-bytes")),
                v.getBoolean("models.publish-demo-models"),
                v.getInt("models.max-batch-ceiling"));
    }

    /** Conduct of the validator at {@code index} (0-based); HONEST unless configured otherwise. */
    public Validator.Conduct conductOf(int index) {
        return index < conduct.size() ? conduct.get(index) : Validator.Conduct.HONEST;
    }

    public Path keysDir() {
        return dataDir.resolve("keys");
    }

    public Path modelsDir() {
        return dataDir.resolve("models");
    }

    public Path uploadsDir() {
        return dataDir.resolve("uploads");
    }
}
