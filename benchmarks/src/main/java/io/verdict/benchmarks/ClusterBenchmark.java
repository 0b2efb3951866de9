package io.verdict.benchmarks;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.typesafe.config.ConfigFactory;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.ValidatorState;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.benchmarks.NodeBenchmark.ChildNode;
import io.verdict.benchmarks.NodeBenchmark.Point;
import io.verdict.persistence.journal.LocalCassandra;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;

/**
 * Issue 4's figures in one run on this machine, beside each other: verified r=3 jobs on one node
 * with the embedded H2 journal and with a local Cassandra (latency at 1 in flight, throughput at
 * {@code --concurrency}), the Cassandra journal's write rate under that load (rows written to its
 * {@code messages} table per second), the same load against a three-node cluster, and how long jobs
 * that were in flight when one node was killed with SIGKILL took to finish. Prints Markdown.
 *
 * <p>Run it with {@code benchmarks/run-cluster [--measure S] [--concurrency N]}.
 */
public final class ClusterBenchmark {

    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final List<String> LIGHT = List.of("-Dverdict.validators.keystore-strength=LIGHT");

    private final int measure;
    private final int concurrency;
    private final StringBuilder md = new StringBuilder();
    private final List<Point> points = new ArrayList<>();

    private ClusterBenchmark(int measure, int concurrency) {
        this.measure = measure;
        this.concurrency = concurrency;
    }

    public static void main(String[] args) throws Exception {
        int measure = 15;
        int concurrency = 32;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--measure" -> measure = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ClusterBenchmark [--measure S] [--concurrency N]");
                    System.exit(2);
                }
            }
        }
        new ClusterBenchmark(measure, concurrency).run();
    }

    private void run() throws Exception {
        Path work = Files.createTempDirectory("verdict-cluster-bench-");
        ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), "bench-client",
                ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.actor.provider = local")
                        .withFallback(ConfigFactory.defaultReference()));
        try (LocalCassandra cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(), work.resolve("cassandra"))) {
            md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                    .append(NodeBenchmark.cpuModel()).append(", Java ").append(System.getProperty("java.runtime.version"))
                    .append(", ").append(LocalDate.now()).append(". Cassandra 5.0 (one local process, 512 MiB heap) ")
                    .append("on the same cores. Load: closed loop, one HTTP/2 connection, demo MLP, fresh inputs per job, ")
                    .append("r=3 q=2; ").append(measure).append(" s measured per point after 5 s warm-up.\n\n");

            String writes = "—";
            for (String journal : List.of("h2", "cassandra")) {
                List<String> args = journal.equals("h2") ? List.of() : List.of("--cassandra", cassandra.contactPoint());
                log("one node on the " + journal + " journal");
                try (ChildNode node = ChildNode.start(work.resolve("node-" + journal), LIGHT, args)) {
                    node.start("one node, " + journal);
                    NodeBenchmark.Load load = new NodeBenchmark.Load(client(client, node.port()), node.pid());
                    load.warmUp(3, 2);
                    load.point(3, 2, 8, 0, 10);
                    points.add(named(load.point(3, 2, 1, 3, Math.max(5, measure / 2)), "one node, " + journal));
                    long rowsBefore = journal.equals("cassandra") ? journalRows(cassandra, "verdict_journal") : 0;
                    long from = System.nanoTime();
                    Point loaded = named(load.point(3, 2, concurrency, 5, measure), "one node, " + journal);
                    points.add(loaded);
                    if (journal.equals("cassandra")) {
                        double seconds = (System.nanoTime() - from) / 1e9;
                        long rows = journalRows(cassandra, "verdict_journal") - rowsBefore;
                        writes = String.format(Locale.ROOT, "%,.0f events/s written to `messages` over %.0f s "
                                + "(%,d rows) while serving %,.0f jobs/s: %.1f journal events per job (job events, "
                                + "remembered-entity events, validator registry)", rows / seconds, seconds, rows,
                                loaded.perSecond(), rows / seconds / loaded.perSecond());
                    }
                }
            }

            log("three nodes on Cassandra");
            String kill = cluster(work, cassandra, client);

            md.append("| setup | in flight | throughput | p50 | p99 | node CPU (cores) | client CPU (cores) | failed |\n");
            md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            points.forEach(p -> NodeBenchmark.row(md, p, "jobs/s"));
            md.append("\nJournal write rate (Cassandra, one node at ").append(concurrency).append(" in flight): ")
                    .append(writes).append(".\n\n").append(kill).append('\n');
            System.out.println();
            System.out.println(md);
        } finally {
            client.terminate();
            client.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Benchmarks.deleteRecursively(work);
        }
    }

    /** Three nodes: the same load through node 1, then a SIGKILL of node 3 under load. */
    private String cluster(Path work, LocalCassandra cassandra, ActorSystem<Void> client) throws Exception {
        List<String> keyspaces = List.of("-Dverdict.cassandra.journal-keyspace=bench_cluster_journal",
                "-Dverdict.cassandra.snapshot-keyspace=bench_cluster_snapshot",
                "-Dverdict.cassandra.models.keyspace=bench_cluster_models",
                "-Dverdict.audit.cassandra.keyspace=bench_cluster_audit");
        List<String> jvm = new ArrayList<>(LIGHT);
        jvm.addAll(keyspaces);
        int seedPort = NodeBenchmark.freePort();
        List<ChildNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                int clusterPort = i == 0 ? seedPort : NodeBenchmark.freePort();
                nodes.add(ChildNode.start(work.resolve("cluster-node-" + (i + 1)), jvm, List.of(
                        "--cassandra", cassandra.contactPoint(), "--cluster-port", Integer.toString(clusterPort),
                        "--seed-nodes", "127.0.0.1:" + seedPort)));
                if (i == 0) {
                    nodes.get(0).start("cluster node 1");
                }
            }
            nodes.get(1).start("cluster node 2");
            nodes.get(2).start("cluster node 3");
            VerdictServiceClient entry = client(client, nodes.get(0).port());
            awaitNineLive(entry);
            NodeBenchmark.Load load = new NodeBenchmark.Load(entry, nodes.get(0).pid());
            load.warmUp(3, 2);
            load.point(3, 2, 8, 0, 10);
            points.add(named(load.point(3, 2, 1, 3, Math.max(5, measure / 2)), "3 nodes, via node 1"));
            points.add(named(load.point(3, 2, concurrency, 5, measure), "3 nodes, via node 1"));

            log("SIGKILL of node 3 under load");
            return killUnderLoad(entry, nodes.get(2));
        } finally {
            for (ChildNode n : nodes) {
                n.close();
            }
        }
    }

    private String killUnderLoad(VerdictServiceClient entry, ChildNode victim) throws Exception {
        record Done(Job job, long calledAt, long answeredAt) {}
        ConcurrentLinkedQueue<Done> done = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<SubmitRequest> lostRequests = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();
        NodeBenchmark.Load requests = new NodeBenchmark.Load(entry, 0);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    SubmitRequest request = requests.request(3, 2).toBuilder()
                            .setClientRequestId("kill-" + sequence.incrementAndGet())
                            .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(DEADLINE.toSeconds()))
                            .build();
                    long called = System.currentTimeMillis();
                    try {
                        Job job = entry.submit(request).toCompletableFuture().get(DEADLINE.toSeconds() + 10,
                                TimeUnit.SECONDS).getJob();
                        done.add(new Done(job, called, System.currentTimeMillis()));
                    } catch (Exception e) {
                        failures.add(NodeBenchmark.rootMessage(e));
                        lostRequests.add(request);
                    }
                }
            }, "kill-load-" + t);
            threads.add(thread);
            thread.start();
        }
        TimeUnit.SECONDS.sleep(8);
        long killedAt = System.currentTimeMillis();
        ProcessHandle.of(victim.pid()).ifPresent(ProcessHandle::destroyForcibly);
        TimeUnit.SECONDS.sleep(30);
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(DEADLINE.toSeconds() + 20));
        }
        // Calls cut off by the kill (or whose wait ran out): the same request again joins the same
        // job, so its acceptance and finish times say when the survivors completed it.
        List<Long> finishedAfterKill = new ArrayList<>();
        long notAgreed = 0;
        for (SubmitRequest lost : lostRequests) {
            Job job = entry.submit(lost.toBuilder().setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(120))
                    .build()).toCompletableFuture().get(150, TimeUnit.SECONDS).getJob();
            if (job.getStatus() != JobStatus.JOB_STATUS_AGREED) {
                notAgreed++;
            }
            long accepted = millis(job.getAcceptedAt());
            long finished = millis(job.getFinishedAt());
            if (accepted < killedAt && finished > killedAt) {
                finishedAfterKill.add(finished - killedAt);
            }
        }
        for (Done d : done) {
            long finished = millis(d.job().getFinishedAt());
            if (millis(d.job().getAcceptedAt()) < killedAt && finished > killedAt) {
                finishedAfterKill.add(finished - killedAt);
            }
        }
        finishedAfterKill.sort(null);
        long firstAfterKill = done.stream().filter(d -> d.calledAt() >= killedAt)
                .mapToLong(d -> d.answeredAt() - killedAt).min().orElse(-1);
        String inFlight = finishedAfterKill.isEmpty() ? "none"
                : String.format(Locale.ROOT, "%d jobs, finished %.1f s (median) and %.1f s (slowest) after the kill",
                finishedAfterKill.size(), finishedAfterKill.get(finishedAfterKill.size() / 2) / 1000.0,
                finishedAfterKill.get(finishedAfterKill.size() - 1) / 1000.0);
        return String.format(Locale.ROOT, "Node 3 killed with SIGKILL under load (8 clients on node 1, r=3 q=2, "
                        + "60 s wait per call, split brain resolver stable-after 7 s): %d calls answered in the 38 s "
                        + "run (%d before the kill), %d cut off or timed out%s; submitted again afterwards, %d of "
                        + "them not AGREED. Jobs accepted before the kill and finished after it: %s. First call "
                        + "made after the kill answered %s after the kill.",
                done.size(), done.stream().filter(d -> d.answeredAt() < killedAt).count(), lostRequests.size(),
                failures.isEmpty() ? "" : " (" + String.join("; ", failures.stream().distinct().limit(2).toList()) + ")",
                notAgreed, inFlight, firstAfterKill < 0 ? "never (within the run)"
                        : String.format(Locale.ROOT, "%.1f s", firstAfterKill / 1000.0));
    }

    static long millis(com.google.protobuf.Timestamp t) {
        return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
    }

    private static void awaitNineLive(VerdictServiceClient entry) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            long live = entry.validatorInfo(ValidatorInfoRequest.getDefaultInstance()).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS).getClusterValidatorsList().stream()
                    .filter(v -> v.getState() == ValidatorState.VALIDATOR_STATE_ACTIVE).count();
            if (live == 9) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException("the cluster did not show 9 live validators within 120 s");
    }

    /** Rows in the journal's messages table (a full scan: fine for a benchmark's few thousand jobs). */
    private static long journalRows(LocalCassandra cassandra, String keyspace) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(120)).build();
        try (CqlSession session = CqlSession.builder().withConfigLoader(config)
                .addContactPoint(new InetSocketAddress("127.0.0.1", cassandra.cqlPort()))
                .withLocalDatacenter("datacenter1").build()) {
            return session.execute("SELECT COUNT(*) FROM " + keyspace + ".messages").one().getLong(0);
        }
    }

    static VerdictServiceClient client(ActorSystem<Void> system, int port) {
        return VerdictServiceClient.create(GrpcClientSettings.connectToServiceAt("127.0.0.1", port, system)
                .withTls(false).withDeadline(DEADLINE.plusSeconds(10)), system);
    }

    static Point named(Point p, String setup) {
        return new Point(setup + " — " + p.what(), p.callers(), p.perSecond(), p.p50Micros(), p.p99Micros(), p.ok(),
                p.failed(), p.failures(), p.nodeCpu(), p.clientCpu());
    }

    private static void log(String message) {
        System.err.println("[cluster-benchmark] " + message);
    }
}
