package io.verdict.persistence.journal;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A local single-node Cassandra run by the project's {@code scripts/cassandra} (on loopback, from
 * Maven artifacts), for tests and development: {@link #start} returns once CQL answers,
 * {@link #close} stops the process by the PID the script recorded.
 */
public final class LocalCassandra implements AutoCloseable {

    private static final long SCRIPT_TIMEOUT_SECONDS = 180;

    private final Path script;
    private final Path dir;
    private final int cqlPort;

    private LocalCassandra(Path script, Path dir, int cqlPort) {
        this.script = script;
        this.dir = dir;
        this.cqlPort = cqlPort;
    }

    /** Starts Cassandra with its files under {@code dir}, using the script of {@code repositoryRoot}. */
    public static LocalCassandra start(Path repositoryRoot, Path dir) throws IOException, InterruptedException {
        Path script = repositoryRoot.resolve("scripts").resolve("cassandra");
        Files.createDirectories(dir);
        try {
            List<String> out = run(script, dir, "start", dir.toString());
            return new LocalCassandra(script, dir, Integer.parseInt(out.get(out.size() - 1).trim()));
        } catch (IOException | RuntimeException e) {
            try {
                run(script, dir, "stop", dir.toString()); // the script stops its own failed start; be sure
            } catch (IOException | RuntimeException ignored) {
                // the start failure is what the caller needs to see
            }
            throw e;
        }
    }

    /** The git checkout: the first directory above the working directory with scripts/cassandra. */
    public static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("scripts").resolve("cassandra"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/cassandra not found above " + Path.of("").toAbsolutePath());
    }

    public int cqlPort() {
        return cqlPort;
    }

    /** {@code 127.0.0.1:<port>}, a contact point for {@link CassandraJournal}. */
    public String contactPoint() {
        return "127.0.0.1:" + cqlPort;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Stops Cassandra (by PID), keeping its data: {@link #restart()} brings it back on the same
     * contact point.
     */
    public void stop() throws IOException, InterruptedException {
        run(script, dir, "stop", dir.toString());
    }

    /** Starts it again after {@link #stop()}, on the same ports; returns when CQL answers. */
    public void restart() throws IOException, InterruptedException {
        List<String> out = run(script, dir, "start", dir.toString(), "--port", Integer.toString(cqlPort));
        int port = Integer.parseInt(out.get(out.size() - 1).trim());
        if (port != cqlPort) {
            throw new IOException("Cassandra restarted on port " + port + " instead of " + cqlPort);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(script, dir, "stop", dir.toString());
    }

    /** Runs the script, its stderr into this process's; returns its stdout lines. */
    private static List<String> run(Path script, Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(script.toString());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "script-", ".out");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(Redirect.INHERIT)
                    .start();
            if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("scripts/cassandra " + String.join(" ", args) + " timed out");
            }
            List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException("scripts/cassandra " + String.join(" ", args) + " failed with exit code "
                        + process.exitValue() + "; see " + dir.resolve("cassandra.log"));
            }
            return lines;
        } finally {
            Files.deleteIfExists(stdout);
        }
    }
}
