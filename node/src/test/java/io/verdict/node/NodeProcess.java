package io.verdict.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Verdict node in a JVM of its own, started with {@code io.verdict.node.Main} on this test's
 * classpath, on loopback ports chosen once (so a restart comes back on the same ports), its output
 * in {@code <dir>/node.log}, with extra environment variables if given (the settings that are read
 * only from the environment, such as the anchorer key). Stopped by its own process handle: SIGTERM
 * ({@link #stop}) or SIGKILL ({@link #kill}), never by name; {@link #awaitExit} waits for a node that
 * ends by itself.
 */
final class NodeProcess implements AutoCloseable {

    private static final String SERVING = "Verdict node serving on ";

    private final String name;
    private final Path dataDir;
    private final int grpcPort;
    private final int clusterPort;
    private final List<String> args;
    private final Map<String, String> environment;
    private Process process;

    NodeProcess(String name, Path dataDir, int grpcPort, int clusterPort, List<String> args) {
        this(name, dataDir, grpcPort, clusterPort, args, Map.of());
    }

    /** @param environment variables set for the node's JVM on top of this JVM's environment */
    NodeProcess(String name, Path dataDir, int grpcPort, int clusterPort, List<String> args,
                Map<String, String> environment) {
        this.name = name;
        this.dataDir = dataDir;
        this.grpcPort = grpcPort;
        this.clusterPort = clusterPort;
        this.args = List.copyOf(args);
        this.environment = Map.copyOf(environment);
    }

    /**
     * The same node (name, ports, data directory, arguments) with other extra environment
     * variables, not started: to restart a node that has exited with another setting.
     */
    NodeProcess withEnvironment(Map<String, String> other) {
        if (alive()) {
            throw new IllegalStateException(name + " is still running");
        }
        return new NodeProcess(name, dataDir, grpcPort, clusterPort, args, other);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String name() {
        return name;
    }

    int grpcPort() {
        return grpcPort;
    }

    int clusterPort() {
        return clusterPort;
    }

    /** The node's cluster address, as nodes report it in ValidatorInfo. */
    String clusterAddress() {
        return "pekko://verdict@127.0.0.1:" + clusterPort;
    }

    Path log() {
        return dataDir.resolve("node.log");
    }

    /** Starts the JVM; {@link #awaitServing} waits for it. */
    void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        Files.createDirectories(dataDir);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx384m",
                "-Dverdict.validators.keystore-strength=LIGHT",
                // ONNX Runtime unpacks its native library under java.io.tmpdir: keep it in the node's folder
                "-Djava.io.tmpdir=" + dataDir,
                "-cp", System.getProperty("java.class.path"),
                "io.verdict.node.Main",
                "--data-dir", dataDir.toString(),
                "--port", Integer.toString(grpcPort),
                "--cluster-port", Integer.toString(clusterPort)));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()));
        pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
        pb.environment().put("ORT_DISABLE_TELEMETRY", "1");
        pb.environment().putAll(environment);
        Files.writeString(log(), "==== launch " + java.time.Instant.now() + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = pb.start();
    }

    /** Waits until the node prints that it serves; fails with the log's end if it dies first. */
    void awaitServing(Duration max) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            String current = currentLaunch();
            if (current.contains(SERVING)) {
                return;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + " before serving:\n"
                        + tail(current));
            }
            Thread.sleep(200);
        }
        throw new AssertionError(name + " did not serve within " + max + ":\n" + tail(Files.readString(log())));
    }

    void start(Duration max) throws IOException, InterruptedException {
        launch();
        awaitServing(max);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Waits until the node exits by itself and returns its exit code; fails with the end of its log
     * if it is still running after {@code max} (and leaves it running: {@link #stop} ends it).
     */
    int awaitExit(Duration max) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        if (!process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") did not exit within " + max.toSeconds()
                    + " s; the end of its log:\n" + tail(currentLaunch()));
        }
        return process.exitValue();
    }

    /** The log of the current (or last) launch. */
    String currentLaunch() throws IOException {
        String text = Files.readString(log(), StandardCharsets.UTF_8);
        return text.substring(Math.max(0, text.lastIndexOf("==== launch")));
    }

    /** SIGKILL: the JVM gets no chance to leave the cluster or flush anything. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }
}
