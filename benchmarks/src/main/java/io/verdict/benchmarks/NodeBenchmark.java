package io.verdict.benchmarks;

import com.google.protobuf.ByteString;
import com.typesafe.config.ConfigFactory;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.Tensor;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.InferenceEngine;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.onnx.OnnxEngine;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.grpc.GrpcClientSettings;

/**
 * Issue 3's figures in one run on this machine: raw TensorFlow (the demo MLP, batch 1, one and two
 * callers), the signing bound (r signatures + r recoveries per job on two threads), a real node in
 * a child JVM (time to serve, cold and warm; resident memory), and verified jobs over gRPC against
 * that node at r=1 and r=3 for several client concurrencies. Prints one Markdown report.
 *
 * <p>Run it with {@code benchmarks/run-node}; options: {@code --measure S} (seconds per load point,
 * default 20), {@code --warmup S} (default 5), {@code --concurrency 8,32,64}, {@code --model mlp}
 * (or {@code mlp-onnx}: the same MLP as an ONNX model, raw figures then from ONNX Runtime); the system property
 * {@code verdict.bench.node-jvm-options} adds options to the node's JVM (to profile it under load). A failed request is
 * counted and reported with its reason, never retried or dropped from the figures.
 */
public final class NodeBenchmark {

    private static final String SERVING = "Verdict node serving on";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final long MAX_REQUESTS_PER_POINT = 500_000;
    private static final int MLP_FEATURES = 64;

    private final int measureSeconds;
    private final int warmupSeconds;
    private final List<Integer> concurrencies;
    /** The demo MLP as published by the node: {@code mlp} (TensorFlow) or {@code mlp-onnx} (ONNX Runtime). */
    private final String model;
    private final StringBuilder notes = new StringBuilder();

    private NodeBenchmark(int measureSeconds, int warmupSeconds, List<Integer> concurrencies, String model) {
        this.measureSeconds = measureSeconds;
        this.warmupSeconds = warmupSeconds;
        this.concurrencies = concurrencies;
        this.model = model;
    }

    private boolean onnx() {
        return model.equals("mlp-onnx");
    }

    /** The engine the raw figures come from, as the report names it. */
    private String engineLabel() {
        return onnx() ? "ONNX Runtime" : "TensorFlow";
    }

    public static void main(String[] args) throws Exception {
        int measure = 20;
        int warmup = 5;
        List<Integer> concurrency = List.of(8, 32, 64);
        String model = "mlp";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--measure" -> measure = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--concurrency" -> concurrency = java.util.Arrays.stream(args[++i].split(","))
                        .map(String::trim).map(Integer::parseInt).toList();
                case "--model" -> model = args[++i];
                default -> usage();
            }
        }
        if (!model.equals("mlp") && !model.equals("mlp-onnx")) {
            usage();
        }
        new NodeBenchmark(measure, warmup, concurrency, model).run();
    }

    private static void usage() {
        System.err.println("usage: NodeBenchmark [--measure S] [--warmup S] [--concurrency 8,32,64] [--model mlp|mlp-onnx]");
        System.exit(2);
    }

    // ---------------------------------------------------------------- results

    /** Throughput and latency of one measured point. */
    record Point(String what, int callers, double perSecond, double p50Micros, double p99Micros, long ok,
                 long failed, String failures, double nodeCpu, double clientCpu) {}

    /** One start of the child node. */
    record Start(String what, double secondsToServing, long rssAtServingKb, String reportedByNode) {}

    private void run() throws Exception {
        Path work = Files.createTempDirectory("verdict-node-bench-");
        try {
            Path models = work.resolve("models");
            Path mlpDir = DemoModels.ensureExported(models, DemoModels.Kind.MLP,
                    onnx() ? DemoModels.Format.ONNX : DemoModels.Format.SAVED_MODEL);

            log("raw " + engineLabel() + ", demo MLP (" + model + "), batch 1");
            Point raw1 = raw(mlpDir, 1);
            Point raw2 = raw(mlpDir, 2);

            log("crypto bound: r signatures + r recoveries per job, 2 threads");
            Point crypto1 = crypto(1, 2);
            Point crypto3 = crypto(3, 2);

            Path dataDir = work.resolve("node-data");
            List<Start> starts = new ArrayList<>();
            List<Point> verified = new ArrayList<>();
            long rssAfterModels;
            long rssAfterLoad;
            long hwmAfterLoad;
            double idleCpu;
            try (ChildNode cold = ChildNode.start(dataDir, List.of())) {
                starts.add(cold.start("first start (STANDARD keystores created, demo models exported and published)"));
            }
            try (ChildNode light = ChildNode.start(work.resolve("node-data-light"),
                    List.of("-Dverdict.validators.keystore-strength=LIGHT"))) {
                starts.add(light.start("first start, LIGHT keystores (for comparison only)"));
            }
            try (ChildNode warm = ChildNode.start(dataDir, List.of())) {
                starts.add(warm.start("second start, same data dir (warm)"));
                ActorSystem<Void> client = ActorSystem.create(Behaviors.empty(), "bench-client",
                        ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.actor.provider = local")
                                .withFallback(ConfigFactory.defaultReference()));
                try {
                    VerdictServiceClient grpc = VerdictServiceClient.create(
                            GrpcClientSettings.connectToServiceAt("127.0.0.1", warm.port, client)
                                    .withTls(false).withDeadline(DEADLINE), client);
                    Load load = new Load(grpc, warm.pid(), model);
                    load.warmUp(1, 1);
                    load.warmUp(3, 2);
                    rssAfterModels = warm.rssKb("VmRSS");
                    log("warm-up: 10 s of r=3 jobs, 8 in flight, not measured (JIT of both JVMs)");
                    load.point(3, 2, 8, 0, 10);
                    for (int[] rq : new int[][] {{1, 1}, {3, 2}}) {
                        int r = rq[0];
                        int q = rq[1];
                        log("verified jobs r=" + r + " q=" + q + ", 1 in flight (unloaded latency)");
                        verified.add(load.point(r, q, 1, Math.min(3, warmupSeconds), Math.max(5, measureSeconds / 2)));
                        for (int c : concurrencies) {
                            log("verified jobs r=" + r + " q=" + q + ", " + c + " in flight");
                            verified.add(load.point(r, q, c, warmupSeconds, measureSeconds));
                        }
                    }
                    rssAfterLoad = warm.rssKb("VmRSS");
                    hwmAfterLoad = warm.rssKb("VmHWM");
                    long idleFrom = cpuTicks(warm.pid());
                    TimeUnit.SECONDS.sleep(5);
                    idleCpu = (cpuTicks(warm.pid()) - idleFrom) / 100.0 / 5;
                    grpc.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
                } finally {
                    client.terminate();
                    client.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
                }
            }
            report(raw1, raw2, crypto1, crypto3, starts, verified, rssAfterModels, rssAfterLoad, hwmAfterLoad, idleCpu);
        } finally {
            Benchmarks.deleteRecursively(work);
        }
    }

    // ---------------------------------------------------------------- raw TensorFlow

    private Point raw(Path mlpDir, int callers) throws Exception {
        List<NamedTensors> inputs = new ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            inputs.add(DemoModels.sampleInput(DemoModels.Kind.MLP, 1, i));
        }
        InferenceEngine engine = onnx() ? new OnnxEngine() : new TensorFlowEngine();
        try (LoadedModel loaded = engine.load(mlpDir, ArtifactManifest.scan(mlpDir))) {
            return measureThreads("raw " + engineLabel() + " MLP b=1", callers, 3, 5,
                    (thread, i) -> loaded.run(inputs.get((int) (i & 1023))));
        }
    }

    // ---------------------------------------------------------------- crypto

    private Point crypto(int r, int threads) throws Exception {
        Benchmarks.Committee committee = new Benchmarks.Committee(r);
        Attestation base = committee.attestation();
        return measureThreads("sign + recover, r=" + r, threads, 2, 5, (thread, i) -> {
            byte[] id = ContentDigest.of(ByteBuffer.allocate(12).putInt(thread).putLong(i).array()).value().bytes();
            Attestation a = new Attestation(JobId.of(id), base.modelDigest(), base.inputDigest(), base.outputDigest(),
                    base.policy(), base.epoch());
            for (int m = 0; m < r; m++) {
                Vote vote = Vote.sign(committee.keys().get(m), committee.domain(), a);
                Optional<ValidatorAddress> signer = vote.recoverSigner(committee.domain());
                if (!signer.equals(Optional.of(committee.keys().get(m).address()))) {
                    throw new IllegalStateException("a vote did not recover to its signer");
                }
            }
            return null;
        });
    }

    @FunctionalInterface
    interface Op {
        Object run(int thread, long iteration);
    }

    /** Runs {@code op} in a loop on {@code threads} threads; latency of each call, throughput of all. */
    private Point measureThreads(String what, int threads, int warmup, int measure, Op op) throws Exception {
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(measure);
        List<Histogram> histograms = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        AtomicLong sink = new AtomicLong();
        long cpuBefore = cpuTicks(ProcessHandle.current().pid());
        for (int t = 0; t < threads; t++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            histograms.add(h);
            int thread = t;
            Thread w = new Thread(() -> {
                long i = 0;
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        break;
                    }
                    Object out = op.run(thread, i++);
                    long done = System.nanoTime();
                    if (start >= warmEnd) {
                        h.recordValue(done - start);
                    }
                    sink.addAndGet(out == null ? 0 : 1);
                }
            }, "bench-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        histograms.forEach(all::add);
        double cpu = (cpuTicks(ProcessHandle.current().pid()) - cpuBefore) / 100.0 / (warmup + measure);
        return new Point(what, threads, all.getTotalCount() / (double) measure,
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(99) / 1000.0,
                all.getTotalCount(), 0, "", Double.NaN, cpu);
    }

    // ---------------------------------------------------------------- verified jobs over gRPC

    /** A closed-loop load: {@code concurrency} Submit calls in flight, each completion sends the next. */
    static final class Load {
        private final VerdictServiceClient grpc;
        private final long nodePid;
        private final long seedBase = System.nanoTime();
        private final AtomicLong sequence = new AtomicLong();
        private final String model;

        /** Jobs on the demo MLP as a TensorFlow SavedModel ({@code mlp}). */
        Load(VerdictServiceClient grpc, long nodePid) {
            this(grpc, nodePid, "mlp");
        }

        Load(VerdictServiceClient grpc, long nodePid, String model) {
            this.grpc = grpc;
            this.nodePid = nodePid;
            this.model = model;
        }

        /** A Submit of the demo MLP on fresh input values, so every request is a new job. */
        SubmitRequest request(int r, int q) {
            SplittableRandom random = new SplittableRandom(seedBase + sequence.incrementAndGet());
            ByteBuffer data = ByteBuffer.allocate(MLP_FEATURES * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < MLP_FEATURES; i++) {
                data.putFloat((float) random.nextDouble());
            }
            data.flip();
            return SubmitRequest.newBuilder()
                    .setModel(model)
                    .addInputs(Tensor.newBuilder().setName(DemoModels.INPUT).setDtype(DType.DTYPE_FLOAT32)
                            .addShape(1).addShape(MLP_FEATURES).setData(ByteString.copyFrom(data)))
                    .setR(r)
                    .setQ(q)
                    .build();
        }

        /** A few sequential jobs: loads the model on the node and warms both JVMs' code paths. */
        void warmUp(int r, int q) throws Exception {
            for (int i = 0; i < 20; i++) {
                SubmitResponse response = grpc.submit(request(r, q)).toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (response.getJob().getStatus() != JobStatus.JOB_STATUS_AGREED) {
                    throw new IllegalStateException("warm-up job not agreed: " + response.getJob());
                }
            }
        }

        Point point(int r, int q, int concurrency, int warmup, int measure) throws Exception {
            return point(r, q, concurrency, warmup, measure, job -> { });
        }

        /** As above; {@code measured} sees every agreed job counted in the measured window. */
        Point point(int r, int q, int concurrency, int warmup, int measure, Consumer<Job> measured)
                throws Exception {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(warmup);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(measure);
            Histogram latency = new Histogram(DEADLINE.toNanos() * 2, 3);
            AtomicLong ok = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicLong sent = new AtomicLong();
            Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
            CountDownLatch drained = new CountDownLatch(concurrency);
            long[] cpuAtStart = new long[2];
            long[] cpuAtEnd = new long[2];
            Thread sampler = new Thread(() -> {
                try {
                    sleepUntil(measureFrom);
                    cpuAtStart[0] = cpuTicks(nodePid);
                    cpuAtStart[1] = cpuTicks(ProcessHandle.current().pid());
                    sleepUntil(end);
                    cpuAtEnd[0] = cpuTicks(nodePid);
                    cpuAtEnd[1] = cpuTicks(ProcessHandle.current().pid());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "cpu-sampler");
            sampler.start();
            for (int i = 0; i < concurrency; i++) {
                sendNext(r, q, end, measureFrom, latency, ok, failed, sent, failures, drained, measured);
            }
            if (!drained.await(measure + warmup + DEADLINE.toSeconds() + 10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("requests did not drain");
            }
            sampler.join();
            double nodeCpu = (cpuAtEnd[0] - cpuAtStart[0]) / 100.0 / measure;
            double clientCpu = (cpuAtEnd[1] - cpuAtStart[1]) / 100.0 / measure;
            StringBuilder why = new StringBuilder();
            failures.forEach((k, v) -> why.append(why.length() == 0 ? "" : "; ").append(v.get()).append(" × ").append(k));
            synchronized (latency) {
                return new Point("verified r=" + r + " q=" + q, concurrency, ok.get() / (double) measure,
                        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                        ok.get(), failed.get(), why.toString(), nodeCpu, clientCpu);
            }
        }

        private void sendNext(int r, int q, long end, long measureFrom, Histogram latency, AtomicLong ok,
                              AtomicLong failed, AtomicLong sent, Map<String, AtomicInteger> failures,
                              CountDownLatch drained, Consumer<Job> measured) {
            long started = System.nanoTime();
            if (started >= end || sent.incrementAndGet() > MAX_REQUESTS_PER_POINT) {
                drained.countDown();
                return;
            }
            grpc.submit(request(r, q)).whenComplete((response, failure) -> {
                long done = System.nanoTime();
                boolean counted = started >= measureFrom && done <= end;
                if (failure == null && response.getJob().getStatus() == JobStatus.JOB_STATUS_AGREED) {
                    if (counted) {
                        ok.incrementAndGet();
                        measured.accept(response.getJob());
                        synchronized (latency) {
                            latency.recordValue(Math.min(done - started, latency.getHighestTrackableValue()));
                        }
                    }
                } else if (counted) {
                    failed.incrementAndGet();
                    String reason = failure != null ? rootMessage(failure)
                            : "job " + response.getJob().getStatus();
                    failures.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
                }
                sendNext(r, q, end, measureFrom, latency, ok, failed, sent, failures, drained, measured);
            });
        }
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = String.valueOf(c.getMessage());
        return m.length() > 80 ? m.substring(0, 80) + "…" : m;
    }

    // ---------------------------------------------------------------- the child node

    /** A node in its own JVM, started like {@code verdict up}, stopped by its PID. */
    static final class ChildNode implements AutoCloseable {
        private final Process process;
        private final long launched;
        private final int port;
        private final Path log;
        private final Thread reader;
        private final CountDownLatch serving = new CountDownLatch(1);
        private final StringBuilder output = new StringBuilder();
        private volatile long servingAt;
        private volatile String servingLine = "";

        private ChildNode(Process process, long launched, int port, Path log) {
            this.process = process;
            this.launched = launched;
            this.port = port;
            this.log = log;
            this.reader = new Thread(this::drain, "node-output");
            reader.setDaemon(true);
            reader.start();
        }

        static ChildNode start(Path dataDir, List<String> jvmOptions) throws IOException {
            return start(dataDir, jvmOptions, List.of());
        }

        /** {@code nodeArgs} follow the defaults on Main's command line, so they override them. */
        static ChildNode start(Path dataDir, List<String> jvmOptions, List<String> nodeArgs) throws IOException {
            return start(dataDir, jvmOptions, nodeArgs, Map.of(), null);
        }

        /**
         * As above, with extra environment variables for the node (e.g. a key it reads from one) and,
         * when {@code log} is not null, every line of its output also written to that file.
         */
        static ChildNode start(Path dataDir, List<String> jvmOptions, List<String> nodeArgs, Map<String, String> env,
                               Path log) throws IOException {
            int port = freePort();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir",
                    Path.of("target", "javacpp-cache").toAbsolutePath().toString()));
            command.addAll(List.of("-Xms128m", "-Xmx512m")); // the heap ./verdict up gives a node
            command.addAll(jvmOptions);
            // extra options for the node JVM only, e.g. a flight recording while under load
            String extra = System.getProperty("verdict.bench.node-jvm-options", "").trim();
            if (!extra.isEmpty()) {
                command.addAll(List.of(extra.split("\\s+")));
            }
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add("io.verdict.node.Main");
            command.addAll(List.of("--data-dir", dataDir.toString(), "--port", String.valueOf(port),
                    "--cluster-port", "0"));
            command.addAll(nodeArgs);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
            builder.environment().put("ORT_DISABLE_TELEMETRY", "1");
            builder.environment().putAll(env);
            long launched = System.nanoTime();
            return new ChildNode(builder.start(), launched, port, log);
        }

        private void drain() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 Writer file = log == null ? Writer.nullWriter() : Files.newBufferedWriter(log)) {
                String line;
                while ((line = in.readLine()) != null) {
                    file.write(line);
                    file.write('\n');
                    if (!in.ready()) {
                        file.flush();
                    }
                    if (serving.getCount() > 0 && line.contains(SERVING)) {
                        servingAt = System.nanoTime();
                        servingLine = line;
                        serving.countDown();
                    }
                    synchronized (output) {
                        if (output.length() < 200_000) {
                            output.append(line).append('\n');
                        }
                    }
                }
            } catch (IOException e) {
                // the process went away; the caller sees it through the latch or the exit code
            }
        }

        /** Waits for the serving line; RSS right then (demo models published or already in the journal). */
        Start start(String what) throws Exception {
            if (!serving.await(120, TimeUnit.SECONDS)) {
                String out;
                synchronized (output) {
                    out = output.toString();
                }
                throw new IllegalStateException("the node did not serve within 120 s; its output:\n" + out);
            }
            long rss = rssKb("VmRSS");
            String reported = servingLine.replaceAll(".*\\(started in ([0-9]+) ms\\).*", "$1 ms");
            return new Start(what, (servingAt - launched) / 1e9, rss, reported);
        }

        int port() {
            return port;
        }

        long pid() {
            return process.pid();
        }

        long rssKb(String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            throw new IllegalStateException(field + " not in /proc/" + process.pid() + "/status");
        }

        @Override
        public void close() throws Exception {
            ProcessHandle handle = process.toHandle();
            handle.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                handle.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(TimeUnit.SECONDS.toMillis(5)); // its last lines, in the log file too
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    private static void log(String message) {
        System.err.println("[node-benchmark] " + message);
    }

    // ---------------------------------------------------------------- report

    private void report(Point raw1, Point raw2, Point crypto1, Point crypto3, List<Start> starts,
                        List<Point> verified, long rssAfterModels, long rssAfterLoad, long hwmAfterLoad,
                        double idleCpu) {
        StringBuilder md = new StringBuilder();
        md.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
                .append(cpuModel()).append(", Java ").append(System.getProperty("java.runtime.version"))
                .append(" (").append(System.getProperty("java.vm.name")).append("), ").append(LocalDate.now())
                .append('\n').append("Model: ").append(model).append(" (").append(engineLabel()).append(")\n")
                .append("Load points: ").append(warmupSeconds).append(" s warm-up + ")
                .append(measureSeconds).append(" s measured (1 in flight: shorter), closed loop, one HTTP/2 "
                        + "connection, client in the benchmark JVM on the same cores.\n\n");

        md.append("| measurement | callers / in flight | throughput | p50 | p99 | node CPU (cores) | client CPU (cores) | failed |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : List.of(raw1, raw2)) {
            row(md, p, "inferences/s");
        }
        for (Point p : List.of(crypto1, crypto3)) {
            row(md, p, "jobs/s");
        }
        for (Point p : verified) {
            row(md, p, "jobs/s");
        }
        md.append('\n');

        md.append("| node start | time to \"serving\" line | node's own figure | RSS at serving |\n|---|---:|---:|---:|\n");
        for (Start s : starts) {
            md.append(String.format(Locale.ROOT, "| %s | %.1f s | %s | %d MiB |%n", s.what(), s.secondsToServing(),
                    s.reportedByNode(), s.rssAtServingKb() / 1024));
        }
        md.append(String.format(Locale.ROOT, "%nRSS of the warm node: %d MiB after its first jobs (MLP loaded), "
                + "%d MiB after the load, peak (VmHWM) %d MiB. Node CPU while idle for 5 s after the load: %.2f "
                + "cores.%n%n", rssAfterModels / 1024, rssAfterLoad / 1024, hwmAfterLoad / 1024, idleCpu));

        double raw = Math.max(raw1.perSecond(), raw2.perSecond());
        Point best1 = best(verified, "verified r=1 q=1");
        Point best3 = best(verified, "verified r=3 q=2");
        Point unloaded3 = verified.stream().filter(p -> p.what().equals("verified r=3 q=2") && p.callers() == 1)
                .findFirst().orElseThrow();
        double bound3 = Math.min(raw / 3, crypto3.perSecond());
        md.append("| derived | value |\n|---|---:|\n");
        md.append(String.format(Locale.ROOT, "| best verified r=1 (at %d in flight) | %,.0f jobs/s |%n", best1.callers(),
                best1.perSecond()));
        md.append(String.format(Locale.ROOT, "| best verified r=3 (at %d in flight) | %,.0f jobs/s |%n", best3.callers(),
                best3.perSecond()));
        md.append(String.format(Locale.ROOT, "| raw ÷ 3 (best raw, %d callers) | %,.0f jobs/s |%n",
                raw2.perSecond() >= raw1.perSecond() ? 2 : 1, raw / 3));
        md.append(String.format(Locale.ROOT, "| crypto bound r=3 | %,.0f jobs/s |%n", crypto3.perSecond()));
        md.append(String.format(Locale.ROOT, "| verified r=3 ÷ (raw ÷ 3) | %.1f %% |%n", 100 * best3.perSecond() / (raw / 3)));
        md.append(String.format(Locale.ROOT, "| verified r=3 ÷ crypto bound r=3 | %.1f %% |%n",
                100 * best3.perSecond() / crypto3.perSecond()));
        md.append(String.format(Locale.ROOT, "| verified r=3 ÷ min(raw ÷ 3, crypto bound) — target ≥ 80 %% | %.1f %% |%n",
                100 * best3.perSecond() / bound3));
        md.append(String.format(Locale.ROOT, "| verified r=1 ÷ crypto bound r=1 | %.1f %% |%n",
                100 * best1.perSecond() / crypto1.perSecond()));
        md.append(String.format(Locale.ROOT, "| p50 verified r=3, 1 in flight, minus raw p50 (1 caller) — target ≤ 2 ms | %.2f ms |%n",
                (unloaded3.p50Micros() - raw1.p50Micros()) / 1000));
        md.append(String.format(Locale.ROOT, "| node CPU per verified r=3 job at best point | %.2f ms |%n",
                1000 * best3.nodeCpu() / best3.perSecond()));
        md.append(String.format(Locale.ROOT, "| node CPU per verified r=1 job at best point | %.2f ms |%n",
                1000 * best1.nodeCpu() / best1.perSecond()));
        System.out.println();
        System.out.println(md);
    }

    private static Point best(List<Point> points, String what) {
        return points.stream().filter(p -> p.what().equals(what))
                .max((a, b) -> Double.compare(a.perSecond(), b.perSecond())).orElseThrow();
    }

    static void row(StringBuilder md, Point p, String unit) {
        md.append(String.format(Locale.ROOT, "| %s | %d | %,.0f %s | %s | %s | %s | %s | %s |%n", p.what(), p.callers(),
                p.perSecond(), unit, time(p.p50Micros()), time(p.p99Micros()),
                Double.isNaN(p.nodeCpu()) ? "—" : String.format(Locale.ROOT, "%.2f", p.nodeCpu()),
                String.format(Locale.ROOT, "%.2f", p.clientCpu()),
                p.failed() == 0 ? "0" : p.failed() + " (" + p.failures() + ")"));
    }

    static String time(double micros) {
        return micros < 1000 ? String.format(Locale.ROOT, "%.0f µs", micros)
                : String.format(Locale.ROOT, "%.2f ms", micros / 1000);
    }

    static String cpuModel() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            String model = lines.stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
            String flags = lines.stream().filter(l -> l.startsWith("flags")).findFirst().orElse("");
            String isa = flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2, no AVX-512" : "no AVX2";
            return model + " (" + isa + ")";
        } catch (IOException e) {
            return "unknown CPU";
        }
    }
}
