package io.verdict.node.anchor;

import com.typesafe.config.Config;
import io.verdict.chain.AnchorerKey;
import io.verdict.chain.ChainSettings;
import io.verdict.verification.Address;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the anchoring service batches and anchors ({@code verdict.anchor}, see verdict-anchor.conf).
 *
 * @param maxBatch results per batch at most (a batch is sealed when it is full)
 * @param maxDelay how long the first result of a batch waits for more before the batch is sealed
 * @param confirmations blocks on top of (and including) the anchor transaction's block before the
 *     batch counts as anchored
 * @param maxOpenBatches sealed batches not yet anchored at most; the feed waits beyond that (the
 *     backlog stays in the journal)
 * @param registerValidatorSets register each epoch's validator set on the contract before the
 *     first batch that needs it (the anchorer key must then be the contract's owner)
 * @param crashAt for tests only: halt the JVM at this point of the protocol (see {@link CrashPoint})
 */
public record AnchorSettings(
        boolean enabled,
        String rpcUrl,
        long chainId,
        Address contract,
        KeySource key,
        int maxBatch,
        Duration maxDelay,
        int confirmations,
        Duration pollInterval,
        Duration requestTimeout,
        Duration txTimeout,
        Duration retryMin,
        Duration retryMax,
        int maxOpenBatches,
        int notifyParallelism,
        boolean registerValidatorSets,
        CrashPoint crashAt) {

    /** Where the anchorer's key comes from: a keystore file and its password, or a variable. */
    public record KeySource(String keystore, String password, String environmentVariable) {
        public AnchorerKey load() {
            if (keystore != null && !keystore.isBlank()) {
                return AnchorerKey.fromKeystore(Path.of(keystore), password.toCharArray());
            }
            return AnchorerKey.fromEnvironment(environmentVariable);
        }

        @Override
        public String toString() {
            return keystore != null && !keystore.isBlank() ? "keystore " + keystore
                    : "environment variable " + environmentVariable;
        }
    }

    /** Protocol points at which a test can make the node halt (simulating a crash). */
    public enum CrashPoint {
        NONE, AFTER_SEAL, AFTER_SIGN, AFTER_SEND, AFTER_CONFIRM;

        static CrashPoint parse(String text) {
            return text == null || text.isBlank() ? NONE
                    : CrashPoint.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        }
    }

    public static AnchorSettings from(Config config) {
        Config a = config.getConfig("verdict.anchor");
        Config chain = config.getConfig("verdict.chain");
        Config key = a.getConfig("key");
        return new AnchorSettings(
                a.getBoolean("enabled"),
                a.getString("rpc-url"),
                chain.getLong("id"),
                Address.parse(chain.getString("anchor-contract")),
                new KeySource(key.getString("keystore"), key.getString("password"), key.getString("env")),
                a.getInt("max-batch"),
                a.getDuration("max-delay"),
                a.getInt("confirmations"),
                a.getDuration("poll-interval"),
                a.getDuration("request-timeout"),
                a.getDuration("tx-timeout"),
                a.getDuration("retry.min"),
                a.getDuration("retry.max"),
                a.getInt("max-open-batches"),
                a.getInt("notify-parallelism"),
                a.getBoolean("register-validator-sets"),
                CrashPoint.parse(a.getString("crash-at")));
    }

    /** Checks what can be checked without the chain; the message says which setting is wrong. */
    public void validate() {
        if (rpcUrl.isBlank()) {
            throw new IllegalArgumentException("verdict.anchor.rpc-url (VERDICT_ANCHOR_RPC_URL) is empty");
        }
        if (contract.equals(Address.parse("0x0000000000000000000000000000000000000000"))) {
            throw new IllegalArgumentException("verdict.chain.anchor-contract (VERDICT_ANCHOR_CONTRACT) is the zero "
                    + "address: set it to the deployed VerdictAnchor contract");
        }
        if (maxBatch < 1 || confirmations < 1 || maxOpenBatches < 1 || notifyParallelism < 1) {
            throw new IllegalArgumentException("verdict.anchor: max-batch, confirmations, max-open-batches and "
                    + "notify-parallelism must be at least 1");
        }
    }

    public ChainSettings chainSettings(AnchorerKey anchorerKey) {
        return new ChainSettings(rpcUrl, chainId, contract, anchorerKey, requestTimeout);
    }
}
