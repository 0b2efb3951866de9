package io.verdict.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts a node: {@code Main [--data-dir DIR] [--host H] [--port N] [--cluster-port N]}. Options
 * override the configuration (application.conf, then environment variables such as
 * VERDICT_DATA_DIR and VERDICT_GRPC_PORT, then -D system properties). Runs until interrupted.
 */
public final class Main {

    public static final String VERSION = "0.1.0";

    private Main() {}

    /** The JDK's property for the common pool's parallelism; must be set before the pool exists. */
    static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    public static void main(String[] args) throws Exception {
        // Pekko's asks return CompletionStages that run even their non-async callbacks on the common
        // pool. On a 2-core machine that pool has parallelism 1, and CompletableFuture then starts a
        // new thread for every callback (measured: ~100 threads/s, half the node's CPU under load).
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(4, Runtime.getRuntime().availableProcessors())));
        }
        Map<String, Object> overrides;
        try {
            overrides = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        if (overrides == null) {
            System.out.println(usage());
            return;
        }
        Config config;
        try {
            config = NodeConfig.load(ConfigFactory.parseMap(overrides));
        } catch (com.typesafe.config.ConfigException e) {
            System.err.println("error: configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        long started = System.nanoTime();
        VerdictNode node;
        try {
            node = VerdictNode.start(config);
        } catch (Exception e) {
            System.err.println("error: the node could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        String target = node.grpcHost() + ":" + node.grpcPort();
        System.out.println("Verdict node serving on " + target + " (started in " + millis + " ms)");
        System.out.println("  data directory: " + node.settings().dataDir());
        System.out.println("  validators:     " + node.validators());
        boolean anchoring = config.getBoolean("verdict.anchor.enabled");
        String rpc = anchoring ? io.verdict.chain.ChainSettings.redact(config.getString("verdict.anchor.rpc-url")) : "";
        System.out.println("  anchoring:      " + (anchoring ? "to " + config.getString("verdict.chain.anchor-contract")
                + " on chain " + config.getLong("verdict.chain.id") + " via " + rpc : "off"));
        System.out.println("Try, from another terminal:");
        System.out.println("  ./verdict models");
        System.out.println("  ./verdict infer mlp --input examples/mlp-input.json --receipt receipt.json");
        System.out.println("  ./verdict verify receipt.json");
        if (anchoring) {
            System.out.println("  ./verdict anchor");
            System.out.println("  ./verdict receipt <job id> > anchored.json    # once its batch is anchored (seconds)");
            System.out.println("  ./verdict verify anchored.json --rpc " + rpc);
        }
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "verdict-shutdown"));
        Thread.currentThread().join();
    }

    /** The overrides the options give, or null when help was asked for. */
    static Map<String, Object> parse(String[] args) {
        Map<String, Object> out = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
                case "--data-dir" -> out.put("verdict.data-dir", v);
                case "--host" -> out.put("verdict.grpc.host", v);
                case "--port" -> out.put("verdict.grpc.port", Integer.parseInt(v));
                case "--cluster-port" -> out.put("pekko.remote.artery.canonical.port", Integer.parseInt(v));
                case "--journal" -> out.put(NodeConfig.JOURNAL_KEY, v);
                case "--seed-nodes" -> out.put("verdict.cluster.seed-nodes", v);
                case "--validators" -> out.put("verdict.validators.count", Integer.parseInt(v));
                case "--cassandra" -> {
                    out.put(NodeConfig.JOURNAL_KEY, "cassandra");
                    out.put("verdict.cassandra.contact-points", v);
                }
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        return out;
    }

    static String usage() {
        return """
                usage: verdict up [--data-dir DIR] [--host HOST] [--port PORT] [--cluster-port PORT]
                                  [--journal h2|cassandra] [--cassandra HOST:PORT[,HOST:PORT...]]
                                  [--seed-nodes HOST:PORT[,HOST:PORT...]] [--validators N]
                  --data-dir      where the journal, keys and models live (default ./data, env VERDICT_DATA_DIR)
                  --host          gRPC address to bind (default 127.0.0.1)
                  --port          gRPC port (default 50051, env VERDICT_GRPC_PORT; 0 = any free port)
                  --cluster-port  Pekko cluster port (default 25520; 0 = any free port)
                  --journal       h2 (embedded, default) or cassandra (env VERDICT_JOURNAL)
                  --cassandra     use the Cassandra journal at these contact points
                  --seed-nodes    cluster ports of the nodes to join (env VERDICT_SEED_NODES; default: none,
                                  the node forms a cluster of its own)
                  --validators    validator identities this node hosts (default 3, env VERDICT_VALIDATORS)
                ./verdict up also takes:
                  --nodes N          N nodes in one cluster on a Cassandra journal (a local one unless --cassandra)
                  --local-cassandra  a local Cassandra under the data directory for the journal
                  --no-chain         no local development chain and no anchoring (by default a Hardhat
                                     devnet under DATA_DIR/devnet anchors the receipts; env
                                     VERDICT_ANCHOR_RPC_URL and docs/ANCHORING.md for a real chain)""";
    }
}
