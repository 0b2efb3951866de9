package io.verdict.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.verdict.api.v1.AnchorStatusRequest;
import io.verdict.api.v1.AnchorStatusResponse;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.JobEventType;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.benchmarks.NodeBenchmark.ChildNode;
import io.verdict.benchmarks.NodeBenchmark.Load;
import io.verdict.benchmarks.NodeBenchmark.Point;
import io.verdict.chain.Web3AnchorChain;
import io.verdict.chain.devnet.Devnet;
import io.verdict.chain.devnet.TcpProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Issue 5's anchoring figures in one run on this machine, each beside a baseline measured in the
 * same run: verified r=3 q=2 jobs on one node (H2 journal) with anchoring off and on (to a Hardhat
 * devnet the run starts), the time from each job's agreement to its anchored receipt
 * ({@code QuorumReached} → {@code JobAnchored} in the job's history) at two max-delays, and how fast
 * the service anchors a backlog sealed while the chain was unreachable (a {@link TcpProxy} in front
 * of the devnet, down while the jobs run, then up). Every node runs on a fresh data dir, and every
 * anchoring node on a fresh devnet (batch ids start at 1 in each new journal). Prints one Markdown
 * section on stdout, progress on stderr; the logs of the nodes and devnets are kept.
 *
 * <p>Run it with {@code benchmarks/run-anchor}; options: see {@link #USAGE}.
 */
public final class AnchorBenchmark {

    private static final String USAGE = """
            usage: AnchorBenchmark [--measure S] [--warmup S] [--concurrency N] [--backlog N] [--max-batch N]
                                   [--max-delay S] [--short-delay S] [--confirmations N] [--block-time MS]
                                   [--logs DIR]""";
    private static final List<String> LIGHT = List.of("-Dverdict.validators.keystore-strength=LIGHT");
    /** Agreed jobs {@link Load#warmUp} submits (it throws otherwise); they are anchored too. */
    private static final int WARM_UP_JOBS = 20;
    /** Gas of {@code VerdictAnchor.anchor} for a new batch, any size (contracts/README.md, not re-measured). */
    private static final long ANCHOR_GAS = 71_192;
    private static final int GET_JOB_PARALLELISM = 16;
    private static final Pattern LOG_LINE = Pattern.compile("^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) +(\\w+) +(\\S+) - (.*)$");
    private static final Pattern SEALED = Pattern.compile("^batch (\\d+) sealed: (\\d+) result");
    private static final Pattern CONFIRMED = Pattern.compile("^batch (\\d+) anchored: transaction");
    private static final Pattern JOB_BATCH = Pattern.compile("^batch (\\d+) anchored on chain");

    private final int measure;
    private final int warmup;
    private final int concurrency;
    private final int backlogJobs;
    private final int maxBatch;
    private final Duration maxDelay;
    private final Duration shortDelay;
    private final int confirmations;
    private final Duration blockTime;
    private final Path logs;
    private Path work;
    private ActorSystem<Void> client;

    private AnchorBenchmark(int measure, int warmup, int concurrency, int backlogJobs, int maxBatch,
                            Duration maxDelay, Duration shortDelay, int confirmations, Duration blockTime, Path logs) {
        this.measure = measure;
        this.warmup = warmup;
        this.concurrency = concurrency;
        this.backlogJobs = backlogJobs;
        this.maxBatch = maxBatch;
        this.maxDelay = maxDelay;
        this.shortDelay = shortDelay;
        this.confirmations = confirmations;
        this.blockTime = blockTime;
        this.logs = logs;
    }

    public static void main(String[] args) throws Exception {
        int measure = 15;
        int warmup = 10;
        int concurrency = 32;
        int backlog = 2000;
        int maxBatch = 1000;
        Duration maxDelay = Duration.ofSeconds(5);
        Duration shortDelay = Duration.ofSeconds(1);
        int confirmations = 1;
        Duration blockTime = Devnet.DEFAULT_BLOCK_TIME;
        Path logs = Path.of("target", "anchor-bench", "logs");
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--measure" -> measure = Integer.parseInt(args[++i]);
                    case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                    case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
                    case "--backlog" -> backlog = Integer.parseInt(args[++i]);
                    case "--max-batch" -> maxBatch = Integer.parseInt(args[++i]);
                    case "--max-delay" -> maxDelay = seconds(args[++i]);
                    case "--short-delay" -> shortDelay = seconds(args[++i]);
                    case "--confirmations" -> confirmations = Integer.parseInt(args[++i]);
                    case "--block-time" -> blockTime = Duration.ofMillis(Long.parseLong(args[++i]));
                    case "--logs" -> logs = Path.of(args[++i]);
                    case "--help", "-h" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
        }
        new AnchorBenchmark(measure, warmup, concurrency, backlog, maxBatch, maxDelay, shortDelay, confirmations,
                blockTime, logs.toAbsolutePath()).run();
    }

    private static Duration seconds(String text) {
        return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
    }

    // ---------------------------------------------------------------- results

    /** One node under load: the measured point, the devnet's CPU meanwhile, and (anchoring on) latency. */
    record Serving(Point point, double devnetCpu, Latency latency, AnchorStatusResponse status, String log) {}

    /**
     * Agreement to anchored receipt over the measured jobs (ms), and its medians split at the batch's
     * seal and on-chain confirmation (times from the node's log).
     */
    record Latency(Duration maxDelay, int jobs, int notAnchored, long p50, long p95, long max,
                   Map<Long, Integer> batchSizes, long waitForSeal, long sealToConfirmed, long confirmedToJob) {}

    /**
     * The backlog run. Times in ms: {@code retryDue} and {@code firstChainOk} from the moment the chain
     * was reachable again, {@code allConfirmed} and {@code allTold} from {@code firstChainOk}.
     */
    record Backlog(int jobs, long failed, String failures, double submitSeconds, long results,
                   AnchorStatusResponse beforeUp, long retryDue, long firstChainOk, long allConfirmed,
                   long allTold, AnchorStatusResponse after, long transactions, long onChainResults,
                   int blocks, Map<Long, Integer> batchSizes, String log) {}

    // ---------------------------------------------------------------- the run

    private void run() throws Exception {
        double loadBefore = loadAverage();
        long started = System.nanoTime();
        work = Files.createTempDirectory("verdict-anchor-bench-");
        Files.createDirectories(logs);
        client = ActorSystem.create(Behaviors.empty(), "bench-client",
                ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.actor.provider = local")
                        .withFallback(ConfigFactory.defaultReference()));
        Path contracts = Devnet.locateContractsDir();
        try {
            Serving off;
            Serving on;
            Devnet first = devnet(contracts, "devnet-1");
            try {
                log("baseline: anchoring off (the devnet idles meanwhile)");
                off = serve("anchoring off", "node-off", first, false, maxDelay, warmup, measure);
                log("anchoring on, max-delay " + seconds(maxDelay));
                on = serve("anchoring on, max-delay " + seconds(maxDelay), "node-on", first, true, maxDelay,
                        warmup, measure);
            } finally {
                stop(first, "devnet-1");
            }
            Serving shortRun;
            Devnet second = devnet(contracts, "devnet-2");
            try {
                log("anchoring on, max-delay " + seconds(shortDelay) + " (a shorter run)");
                shortRun = serve("anchoring on, max-delay " + seconds(shortDelay), "node-on-short", second, true,
                        shortDelay, Math.min(5, warmup), Math.max(5, measure / 2));
            } finally {
                stop(second, "devnet-2");
            }
            Backlog backlog = backlog(contracts);
            report(off, on, shortRun, backlog, loadBefore, loadAverage(), (System.nanoTime() - started) / 1e9);
        } finally {
            client.terminate();
            client.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            Benchmarks.deleteRecursively(work);
        }
    }

    private Devnet devnet(Path contracts, String name) {
        log("starting " + name + " (block time " + blockTime.toMillis() + " ms)");
        return Devnet.start(contracts, work.resolve(name), blockTime);
    }

    /** Stops a devnet and keeps its log next to the nodes' logs (its work dir is deleted at the end). */
    private void stop(Devnet devnet, String name) throws IOException {
        devnet.stop();
        if (Files.isRegularFile(devnet.logFile())) {
            Files.copy(devnet.logFile(), logs.resolve(name + ".log"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The node's options: the devnet's EIP-712 domain always, anchoring to {@code rpcUrl} when asked. */
    private List<String> nodeOptions(Devnet devnet, String rpcUrl, boolean anchoring, Duration delay) {
        List<String> options = new ArrayList<>(LIGHT);
        options.add("-Dverdict.chain.id=" + devnet.chainId());
        options.add("-Dverdict.chain.anchor-contract=" + devnet.contract());
        options.add("-Dverdict.anchor.enabled=" + anchoring);
        if (anchoring) {
            options.add("-Dverdict.anchor.rpc-url=" + rpcUrl);
            options.add("-Dverdict.anchor.max-batch=" + maxBatch);
            options.add("-Dverdict.anchor.max-delay=" + delay.toMillis() + "ms");
            options.add("-Dverdict.anchor.confirmations=" + confirmations);
        }
        return options;
    }

    /** The key the node anchors with: the devnet's owner (it owns the contract and may anchor). */
    private static Map<String, String> anchorKey(Devnet devnet) throws IOException {
        String key = new ObjectMapper().readTree(devnet.workDir().resolve("devnet.json").toFile())
                .path("ownerKey").asText();
        return Map.of("VERDICT_ANCHOR_KEY", key);
    }

    private Serving serve(String name, String slug, Devnet devnet, boolean anchoring, Duration delay, int warm,
                          int measured) throws Exception {
        Path log = logs.resolve(slug + ".log");
        Serving serving;
        long stoppedAt;
        try (ChildNode node = ChildNode.start(work.resolve(slug), nodeOptions(devnet, devnet.rpcUrl(), anchoring, delay),
                List.of(), anchoring ? anchorKey(devnet) : Map.of(), log)) {
            node.start(name);
            VerdictServiceClient grpc = ClusterBenchmark.client(client, node.port());
            try {
                Load load = new Load(grpc, node.pid());
                load.warmUp(3, 2);
                ConcurrentLinkedQueue<Job> jobs = new ConcurrentLinkedQueue<>();
                CompletableFuture<Double> devnetCpu = cpuOfMeasuredWindow(devnet.pid(), warm, measured);
                Point point = load.point(3, 2, concurrency, warm, measured, jobs::add);
                Latency latency = anchoring ? latency(grpc, List.copyOf(jobs), delay, log) : null;
                AnchorStatusResponse status = anchorStatus(grpc);
                serving = new Serving(ClusterBenchmark.named(point, name), devnetCpu.get(30, TimeUnit.SECONDS),
                        latency, status, "");
            } finally {
                grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            stoppedAt = System.currentTimeMillis();
        }
        return new Serving(serving.point(), serving.devnetCpu(), serving.latency(), serving.status(),
                logSummary(log, stoppedAt));
    }

    /** Cores used by {@code pid} over the measured window of a load point that starts now. */
    private static CompletableFuture<Double> cpuOfMeasuredWindow(long pid, int warm, int measured) {
        CompletableFuture<Double> cores = new CompletableFuture<>();
        Thread sampler = new Thread(() -> {
            try {
                TimeUnit.SECONDS.sleep(warm);
                long from = NodeBenchmark.cpuTicks(pid);
                TimeUnit.SECONDS.sleep(measured);
                cores.complete((NodeBenchmark.cpuTicks(pid) - from) / 100.0 / measured);
            } catch (Exception e) {
                cores.complete(Double.NaN);
            }
        }, "devnet-cpu");
        sampler.setDaemon(true);
        sampler.start();
        return cores;
    }

    // ---------------------------------------------------------------- latency

    private Latency latency(VerdictServiceClient grpc, List<Job> measured, Duration delay, Path log) throws Exception {
        log("anchoring latency of " + measured.size() + " jobs: reading their histories until all are anchored");
        Map<String, Long> agreedAt = new HashMap<>();
        Map<String, Long> anchoredAt = new HashMap<>();
        Map<String, Long> batchOf = new HashMap<>();
        Set<String> waiting = new HashSet<>();
        measured.forEach(j -> waiting.add(j.getJobId()));
        long deadline = System.nanoTime() + delay.toNanos() + TimeUnit.SECONDS.toNanos(120);
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            for (GetJobResponse r : getJobs(grpc, waiting)) {
                Long agreed = null;
                Long anchored = null;
                for (JobEvent e : r.getEventsList()) {
                    if (e.getType() == JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED) {
                        agreed = ClusterBenchmark.millis(e.getTime());
                    } else if (e.getType() == JobEventType.JOB_EVENT_TYPE_ANCHORED) {
                        anchored = ClusterBenchmark.millis(e.getTime());
                        Matcher m = JOB_BATCH.matcher(e.getDescription());
                        if (m.find()) {
                            batchOf.put(r.getJob().getJobId(), Long.parseLong(m.group(1)));
                        }
                    }
                }
                if (agreed != null && anchored != null) {
                    agreedAt.put(r.getJob().getJobId(), agreed);
                    anchoredAt.put(r.getJob().getJobId(), anchored);
                    waiting.remove(r.getJob().getJobId());
                }
            }
            if (!waiting.isEmpty()) {
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        if (!waiting.isEmpty()) {
            log(waiting.size() + " measured job(s) not anchored within " + (delay.toSeconds() + 120) + " s");
        }
        Map<Long, Long> sealed = new HashMap<>();
        Map<Long, Long> confirmed = new HashMap<>();
        Map<Long, Integer> sizes = new TreeMap<>();
        for (LogLine l : readLog(log)) {
            Matcher s = SEALED.matcher(l.message());
            if (s.find()) {
                sealed.put(Long.parseLong(s.group(1)), l.at());
                sizes.put(Long.parseLong(s.group(1)), Integer.parseInt(s.group(2)));
            }
            Matcher c = CONFIRMED.matcher(l.message());
            if (c.find()) {
                confirmed.put(Long.parseLong(c.group(1)), l.at());
            }
        }
        List<Long> total = new ArrayList<>();
        List<Long> toSeal = new ArrayList<>();
        List<Long> toConfirm = new ArrayList<>();
        List<Long> toJob = new ArrayList<>();
        Map<Long, Integer> used = new TreeMap<>();
        for (var e : agreedAt.entrySet()) {
            long agreed = e.getValue();
            long anchored = anchoredAt.get(e.getKey());
            total.add(anchored - agreed);
            Long batch = batchOf.get(e.getKey());
            if (batch != null && sealed.containsKey(batch) && confirmed.containsKey(batch)) {
                used.put(batch, sizes.get(batch));
                toSeal.add(sealed.get(batch) - agreed);
                toConfirm.add(confirmed.get(batch) - sealed.get(batch));
                toJob.add(anchored - confirmed.get(batch));
            }
        }
        total.sort(null);
        return new Latency(delay, measured.size(), waiting.size(), percentile(total, 50), percentile(total, 95),
                total.isEmpty() ? -1 : total.get(total.size() - 1), used, median(toSeal), median(toConfirm),
                median(toJob));
    }

    /** GetJob for every id, {@link #GET_JOB_PARALLELISM} at a time; the calls that failed are left out. */
    private static List<GetJobResponse> getJobs(VerdictServiceClient grpc, Collection<String> ids) throws Exception {
        Semaphore permits = new Semaphore(GET_JOB_PARALLELISM);
        ConcurrentLinkedQueue<GetJobResponse> out = new ConcurrentLinkedQueue<>();
        AtomicInteger failed = new AtomicInteger();
        for (String id : List.copyOf(ids)) {
            permits.acquire();
            grpc.getJob(GetJobRequest.newBuilder().setJobId(id).build()).whenComplete((r, e) -> {
                if (e == null) {
                    out.add(r);
                } else {
                    failed.incrementAndGet();
                }
                permits.release();
            });
        }
        if (!permits.tryAcquire(GET_JOB_PARALLELISM, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("GetJob calls did not finish");
        }
        if (failed.get() > 0) {
            log(failed.get() + " GetJob call(s) failed; asked again");
        }
        return List.copyOf(out);
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return percentile(sorted, 50);
    }

    // ---------------------------------------------------------------- backlog

    private Backlog backlog(Path contracts) throws Exception {
        String slug = "node-backlog";
        Path log = logs.resolve(slug + ".log");
        Backlog backlog;
        long stoppedAt;
        Devnet devnet = devnet(contracts, "devnet-3");
        try (TcpProxy proxy = TcpProxy.start(devnet.port());
             Web3AnchorChain chain = new Web3AnchorChain(devnet.settings())) {
            long nonceBefore = chain.pendingNonce();
            proxy.down();
            log("backlog: chain unreachable (proxy down); " + backlogJobs + " jobs at " + concurrency + " in flight");
            try (ChildNode node = ChildNode.start(work.resolve(slug),
                    nodeOptions(devnet, "http://127.0.0.1:" + proxy.port(), true, maxDelay), List.of(),
                    anchorKey(devnet), log)) {
                node.start("backlog");
                VerdictServiceClient grpc = ClusterBenchmark.client(client, node.port());
                try {
                    Load load = new Load(grpc, node.pid());
                    load.warmUp(3, 2);
                    long from = System.nanoTime();
                    long[] okFailed = new long[2];
                    String failures = submit(grpc, load, backlogJobs, okFailed);
                    double submitSeconds = (System.nanoTime() - from) / 1e9;
                    long results = WARM_UP_JOBS + okFailed[0];
                    log("waiting until all " + results + " results are sealed");
                    awaitStatus(grpc, s -> s.getPendingResults() >= results, maxDelay.plusSeconds(60),
                            "all " + results + " results sealed");
                    AnchorStatusResponse beforeUp = anchorStatus(grpc);
                    long upAt = System.currentTimeMillis();
                    proxy.up();
                    log("chain reachable again; the service's next attempt is due in "
                            + beforeUp.getRetryIn().getSeconds() + " s");
                    long firstOk = -1;
                    long confirmedAt = -1;
                    long toldAt = -1;
                    AnchorStatusResponse s = beforeUp;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
                    while (toldAt < 0 && System.nanoTime() < deadline) {
                        s = anchorStatus(grpc);
                        long now = System.currentTimeMillis();
                        if (firstOk < 0 && ClusterBenchmark.millis(s.getLastChainOkAt()) >= upAt) {
                            firstOk = ClusterBenchmark.millis(s.getLastChainOkAt());
                        }
                        if (confirmedAt < 0 && s.getAnchoredResults() >= results) {
                            confirmedAt = ClusterBenchmark.millis(s.getLastAnchoredAt());
                        }
                        if (confirmedAt >= 0 && s.getOpenBatches() == 0) {
                            toldAt = now;
                        }
                        TimeUnit.MILLISECONDS.sleep(100);
                    }
                    if (toldAt < 0) {
                        log("the backlog was not anchored within 240 s: " + s);
                    }
                    long transactions = chain.pendingNonce() - nonceBefore;
                    long onChain = 0;
                    Set<Long> blocks = new HashSet<>();
                    for (long id = 1; id <= s.getSealedBatches(); id++) {
                        var batch = chain.batch(id);
                        if (batch.isPresent()) {
                            onChain += batch.get().count();
                            blocks.add(batch.get().blockNumber());
                        }
                    }
                    Map<Long, Integer> sizes = new TreeMap<>();
                    for (LogLine l : readLog(log)) {
                        Matcher m = SEALED.matcher(l.message());
                        if (m.find()) {
                            sizes.put(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)));
                        }
                    }
                    long base = firstOk < 0 ? upAt : firstOk;
                    backlog = new Backlog(backlogJobs, okFailed[1], failures, submitSeconds, results, beforeUp,
                            durationMillis(beforeUp.getRetryIn()), firstOk < 0 ? -1 : firstOk - upAt,
                            confirmedAt < 0 ? -1 : confirmedAt - base, toldAt < 0 ? -1 : toldAt - base, s, transactions,
                            onChain, blocks.size(), sizes, "");
                } finally {
                    grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
                }
                stoppedAt = System.currentTimeMillis();
            }
        } finally {
            stop(devnet, "devnet-3");
        }
        Backlog b = backlog;
        return new Backlog(b.jobs(), b.failed(), b.failures(), b.submitSeconds(), b.results(), b.beforeUp(),
                b.retryDue(), b.firstChainOk(), b.allConfirmed(), b.allTold(), b.after(), b.transactions(),
                b.onChainResults(), b.blocks(), b.batchSizes(), logSummary(log, stoppedAt));
    }

    /** Submits {@code jobs} new r=3 jobs, {@link #concurrency} at a time; ok and failed counts into {@code counts}. */
    private String submit(VerdictServiceClient grpc, Load load, int jobs, long[] counts) throws Exception {
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
        for (int i = 0; i < jobs; i++) {
            inFlight.acquire();
            grpc.submit(load.request(3, 2)).whenComplete((response, failure) -> {
                if (failure == null && response.getJob().getStatus() == JobStatus.JOB_STATUS_AGREED) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    String reason = failure != null ? NodeBenchmark.rootMessage(failure)
                            : "job " + response.getJob().getStatus();
                    failures.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                }
                inFlight.release();
            });
        }
        if (!inFlight.tryAcquire(concurrency, 120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the backlog's jobs did not finish");
        }
        counts[0] = ok.get();
        counts[1] = failed.get();
        StringBuilder why = new StringBuilder();
        failures.forEach((k, v) -> why.append(why.length() == 0 ? "" : "; ").append(v.get()).append(" × ").append(k));
        return why.toString();
    }

    private static AnchorStatusResponse anchorStatus(VerdictServiceClient grpc) throws Exception {
        return grpc.anchorStatus(AnchorStatusRequest.getDefaultInstance()).toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
    }

    private static AnchorStatusResponse awaitStatus(VerdictServiceClient grpc, Predicate<AnchorStatusResponse> until,
                                                    Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            AnchorStatusResponse s = anchorStatus(grpc);
            if (until.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not " + what + " within " + timeout.toSeconds() + " s: " + s);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static long durationMillis(com.google.protobuf.Duration d) {
        return d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    }

    // ---------------------------------------------------------------- the node's log

    /** A line of the node's log (logback: {@code HH:mm:ss.SSS LEVEL logger - message}), its time as epoch ms. */
    record LogLine(long at, String level, String logger, String message) {}

    private static List<LogLine> readLog(Path log) throws IOException {
        List<LogLine> lines = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (String text : Files.readAllLines(log)) {
            Matcher m = LOG_LINE.matcher(text);
            if (m.matches()) {
                long at = LocalDate.now().atTime(LocalTime.parse(m.group(1))).atZone(ZoneId.systemDefault())
                        .toInstant().toEpochMilli();
                lines.add(new LogLine(at > now + 3_600_000 ? at - 86_400_000 : at, m.group(2), m.group(3), m.group(4)));
            }
        }
        return lines;
    }

    /**
     * WARN and ERROR lines of a node's log, counted by message with its numbers and hashes blanked;
     * those from {@code stoppedAt} on are marked as logged while the node stopped.
     */
    private static String logSummary(Path log, long stoppedAt) throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (LogLine l : readLog(log)) {
            if (l.level().equals("WARN") || l.level().equals("ERROR")) {
                String shape = l.message().replaceAll("0x[0-9a-fA-F]+", "0x…").replaceAll("\\d+", "N");
                counts.merge((l.at() >= stoppedAt ? "(while stopping) " : "") + l.level() + " " + l.logger() + ": "
                        + (shape.length() > 160 ? shape.substring(0, 160) + "…" : shape), 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            return "no WARN or ERROR lines";
        }
        StringBuilder out = new StringBuilder();
        counts.forEach((k, v) -> out.append(out.length() == 0 ? "" : "; ").append(v).append(" × ").append(k));
        return out.toString();
    }

    // ---------------------------------------------------------------- report

    private void report(Serving off, Serving on, Serving shortRun, Backlog b, double loadBefore, double loadAfter,
                        double seconds) {
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(NodeBenchmark.cpuModel()).append(", ").append(memoryGiB()).append(" GiB, Java ")
                .append(System.getProperty("java.runtime.version")).append(", ").append(LocalDate.now())
                .append(String.format(Locale.ROOT, "; load average (1 min) %.1f before the run, %.1f after; "
                        + "the run took %.0f s.%n", loadBefore, loadAfter, seconds));
        md.append("One node (H2 journal, LIGHT keystores, 3 validators), a fresh data dir per row; closed loop, one "
                        + "HTTP/2 connection, demo `mlp`, fresh inputs per job, r=3 q=2, ").append(concurrency)
                .append(" in flight, ").append(warmup).append(" s warm-up + ").append(measure)
                .append(" s measured (the short run: ").append(Math.min(5, warmup)).append(" + ")
                .append(Math.max(5, measure / 2)).append(" s). Devnet: Hardhat, block time ")
                .append(blockTime.toMillis()).append(" ms (and a block per transaction), on the same cores; anchoring: "
                        + "max-batch ").append(maxBatch).append(", confirmations ").append(confirmations).append(".\n\n");

        md.append("| setup | in flight | throughput | p50 | p99 | node CPU (cores) | client CPU (cores) "
                + "| devnet CPU (cores) | failed |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Serving s : List.of(off, on, shortRun)) {
            Point p = s.point();
            md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f jobs/s | %s | %s | %.2f | %.2f | %.2f | %s |%n",
                    p.what(), p.callers(), p.perSecond(), NodeBenchmark.time(p.p50Micros()),
                    NodeBenchmark.time(p.p99Micros()), p.nodeCpu(), p.clientCpu(), s.devnetCpu(),
                    p.failed() == 0 ? "0" : p.failed() + " (" + p.failures() + ")"));
        }
        Point a = off.point();
        Point c = on.point();
        md.append(String.format(Locale.ROOT, "%nCost of anchoring (max-delay %s): %,.0f → %,.0f jobs/s (%+.1f %%); "
                        + "node CPU per job %.2f → %.2f ms.%n%n", seconds(maxDelay), a.perSecond(), c.perSecond(),
                100 * (c.perSecond() - a.perSecond()) / a.perSecond(), 1000 * a.nodeCpu() / a.perSecond(),
                1000 * c.nodeCpu() / c.perSecond()));

        md.append("Agreement to anchored receipt (`QuorumReached` → `JobAnchored` in each job's history), every job "
                + "of the measured window; the parts are medians, split at the batch's seal and on-chain "
                + "confirmation as the node logged them:\n\n");
        md.append("| max-delay | jobs | p50 | p95 | max | batches (results each) | waiting for the seal "
                + "| seal → confirmed | confirmed → job told |\n|---|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (Serving s : List.of(on, shortRun)) {
            Latency l = s.latency();
            md.append(String.format(Locale.ROOT, "| %s | %,d%s | %s | %s | %s | %d (%s) | %s | %s | %s |%n",
                    seconds(l.maxDelay()), l.jobs(), l.notAnchored() == 0 ? "" : " (" + l.notAnchored()
                            + " not anchored)", ms(l.p50()), ms(l.p95()), ms(l.max()), l.batchSizes().size(),
                    sizes(l.batchSizes()), ms(l.waitForSeal()), ms(l.sealToConfirmed()), ms(l.confirmedToJob())));
        }

        md.append(String.format(Locale.ROOT, "%nBacklog: the chain unreachable (a TCP proxy in front of the devnet, "
                + "down) while %,d jobs ran at %d in flight (%,.0f jobs/s over %.1f s%s), then reachable again:%n%n",
                b.jobs(), concurrency, (b.jobs() - b.failed()) / b.submitSeconds(), b.submitSeconds(),
                b.failed() == 0 ? "" : "; " + b.failed() + " failed: " + b.failures()));
        AnchorStatusResponse up = b.beforeUp();
        AnchorStatusResponse end = b.after();
        md.append("| backlog | value |\n|---|---|\n");
        md.append(String.format(Locale.ROOT, "| sealed while unreachable | %,d results (with %d warm-up jobs) in %d "
                        + "batches (%s) |%n", b.results(), WARM_UP_JOBS, up.getSealedBatches(), sizes(b.batchSizes())));
        md.append(String.format(Locale.ROOT, "| the service's state then | %d failed attempts; next in %s; last "
                + "error: %s |%n", up.getFailures(), ms(b.retryDue()), cell(up.getLastError())));
        md.append(String.format(Locale.ROOT, "| first successful chain call after the chain came back | %s |%n",
                ms(b.firstChainOk())));
        md.append(String.format(Locale.ROOT, "| from it to the last batch confirmed | %s: **%s results/s** |%n",
                ms(b.allConfirmed()), b.allConfirmed() <= 0 ? "—"
                        : String.format(Locale.ROOT, "%,.0f", b.results() * 1000.0 / b.allConfirmed())));
        md.append(String.format(Locale.ROOT, "| from it to every job told (`JobAnchored`) | %s: %s jobs/s |%n",
                ms(b.allTold()), b.allTold() <= 0 ? "—"
                        : String.format(Locale.ROOT, "%,.0f", b.results() * 1000.0 / b.allTold())));
        md.append(String.format(Locale.ROOT, "| batches anchored, results | %d, %,d (status); on chain: %,d results "
                        + "in %d blocks |%n", end.getAnchoredBatches(), end.getAnchoredResults(), b.onChainResults(),
                b.blocks()));
        md.append(String.format(Locale.ROOT, "| transactions from the anchorer key | %d (one per batch, plus the "
                + "validator set's registration) |%n", b.transactions()));
        md.append(String.format(Locale.ROOT, "| status at the end | %d open batches, %d failures, halted %s, last "
                + "error: %s |%n", end.getOpenBatches(), end.getFailures(), end.getHalted(), cell(end.getLastError())));

        md.append(String.format(Locale.ROOT, "%nGas (contracts/README.md, not measured here): `anchor` costs %,d gas "
                + "per batch whatever its size, so %s gas per result at this run's batch sizes.%n%n", ANCHOR_GAS,
                gasPerResult(List.of(on.latency().batchSizes(), shortRun.latency().batchSizes(), b.batchSizes()))));
        md.append("Node logs, WARN and ERROR lines:\n\n");
        md.append("- anchoring off: ").append(off.log()).append('\n');
        md.append("- anchoring on: ").append(on.log()).append(status(on.status())).append('\n');
        md.append("- short run: ").append(shortRun.log()).append(status(shortRun.status())).append('\n');
        md.append("- backlog: ").append(b.log()).append('\n');
        System.out.println();
        System.out.println(md);
        log("node and devnet logs: " + logs);
    }

    private static String status(AnchorStatusResponse s) {
        return String.format(Locale.ROOT, "; AnchorStatus after the run: %d batches sealed, %d anchored (%,d results), "
                + "%d failures, last error: %s", s.getSealedBatches(), s.getAnchoredBatches(), s.getAnchoredResults(),
                s.getFailures(), cell(s.getLastError()));
    }

    private static String gasPerResult(List<Map<Long, Integer>> runs) {
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (Map<Long, Integer> sizes : runs) {
            for (int n : sizes.values()) {
                smallest = Math.min(smallest, n);
                largest = Math.max(largest, n);
            }
        }
        if (largest == 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%,.0f (batch of %,d) to %,.0f (batch of %,d)", (double) ANCHOR_GAS / smallest,
                smallest, (double) ANCHOR_GAS / largest, largest);
    }

    private static String sizes(Map<Long, Integer> sizes) {
        if (sizes.isEmpty()) {
            return "—";
        }
        int min = sizes.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int max = sizes.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return min == max ? String.format(Locale.ROOT, "%,d", min) : String.format(Locale.ROOT, "%,d–%,d", min, max);
    }

    private static String ms(long millis) {
        return millis < 0 ? "—" : String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1e3);
    }

    private static String cell(String text) {
        String t = text == null || text.isEmpty() ? "none" : text.replace("|", "\\|");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private static long memoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // unknown
        }
        return -1;
    }

    private static void log(String message) {
        System.err.println("[anchor-benchmark] " + message);
    }
}
