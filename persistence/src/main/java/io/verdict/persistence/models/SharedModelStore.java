package io.verdict.persistence.models;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.model.ModelDigestMismatch;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * Model artifacts in Cassandra, so that any node of a cluster can get a model published on another
 * one. An artifact is the canonical zip of the model directory ({@link ModelStore#zip}), cut into
 * chunks of {@link Settings#chunkBytes()} bytes, one partition per chunk in {@code model_chunks};
 * its row in {@code model_artifacts} (size, chunk count, SHA-256 of the zip) is written last, after
 * every chunk was acknowledged, so an artifact whose upload did not finish is never seen as present.
 * Writes and reads are at {@code QUORUM}, so a node that reads the artifact row also reads the
 * chunks written before it.
 *
 * <p>{@link #fetch} streams the chunks into a temporary file inside the local store (a name
 * starting with '.'), checks the sizes and the SHA-256 recorded for the zip, and imports it through
 * {@link ModelStore#importZip(Path, ModelDigest, ModelStore.Limits)}, which checks that the files
 * digest to the requested model digest before anything is stored. Concurrent fetches of one digest
 * share one download. All blocking work runs on Pekko's blocking dispatcher.
 */
public final class SharedModelStore {

    /** Where the settings live (in {@code verdict-persistence-cassandra.conf}). */
    public static final String CONFIG_PATH = "verdict.cassandra.models";
    /** The artifact rows. */
    public static final String ARTIFACTS_TABLE = "model_artifacts";
    /** The chunk rows. */
    public static final String CHUNKS_TABLE = "model_chunks";

    private static final ConsistencyLevel CONSISTENCY = DefaultConsistencyLevel.QUORUM;
    private static final String FORMAT = "zip";
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(30);
    /** Chunk writes or reads in flight per upload or download. */
    private static final int WINDOW = 4;
    private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");

    /**
     * @param keyspace where the two tables live
     * @param chunkBytes bytes per chunk (the last one may be shorter)
     * @param autoCreate whether to create the keyspace (SimpleStrategy) and tables on first use
     * @param replicationFactor of an auto-created keyspace
     * @param requestTimeout of each chunk or row read or write
     * @param fetchTimeout how long an execution waits for a model being fetched (the download goes on)
     * @param sessionConfigPath the pekko-connectors-cassandra session settings to use
     */
    public record Settings(String keyspace, int chunkBytes, boolean autoCreate, int replicationFactor,
                           Duration requestTimeout, Duration fetchTimeout, String sessionConfigPath) {
        public Settings {
            if (!KEYSPACE.matcher(keyspace).matches()) {
                throw new IllegalArgumentException("not a plain lowercase keyspace name: '" + keyspace + "'");
            }
            if (chunkBytes < 1024 || chunkBytes > (8 << 20)) {
                throw new IllegalArgumentException("chunk size must be between 1 KiB and 8 MiB, got " + chunkBytes);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero() || fetchTimeout.isNegative()
                    || fetchTimeout.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive, got " + requestTimeout + " and "
                        + fetchTimeout);
            }
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("replication factor must be >= 1, got " + replicationFactor);
            }
        }

        /** Reads {@value #CONFIG_PATH} of a config that includes {@code verdict-persistence-cassandra.conf}. */
        public static Settings fromConfig(Config config) {
            Config c = config.getConfig(CONFIG_PATH);
            return new Settings(c.getString("keyspace"), Math.toIntExact(c.getBytes("chunk-size")),
                    c.getBoolean("auto-create"), c.getInt("replication-factor"), c.getDuration("request-timeout"),
                    c.getDuration("fetch-timeout"),
                    CONFIG_PATH + ".session");
        }
    }

    /** The prepared statements, once the schema is there. */
    private record Statements(PreparedStatement insertChunk, PreparedStatement selectChunk,
                              PreparedStatement insertArtifact, PreparedStatement selectArtifact) {}

    /** An artifact row. */
    private record ArtifactRow(long size, int chunkBytes, int chunks, ContentDigest sha256, String format) {}

    private final ModelStore local;
    private final ModelStore.Limits limits;
    private final Settings settings;
    private final CassandraSession session;
    private final Executor blocking;
    private final AtomicReference<CompletableFuture<Statements>> statements = new AtomicReference<>();
    private final ConcurrentHashMap<ModelDigest, CompletableFuture<Path>> fetching = new ConcurrentHashMap<>();
    private final AtomicLong downloads = new AtomicLong();

    private SharedModelStore(ModelStore local, ModelStore.Limits limits, Settings settings, CassandraSession session,
                             Executor blocking) {
        this.local = local;
        this.limits = limits;
        this.settings = settings;
        this.session = session;
        this.blocking = blocking;
    }

    /**
     * The shared store of {@code system}'s Cassandra (settings from its config), backing
     * {@code local}; artifacts fetched are imported under {@code limits}. Connects lazily.
     */
    public static SharedModelStore create(ActorSystem<?> system, ModelStore local, ModelStore.Limits limits) {
        Settings settings = Settings.fromConfig(system.settings().config());
        CassandraSession session = CassandraSessionRegistry.get(system)
                .sessionFor(CassandraSessionSettings.create(settings.sessionConfigPath()));
        return new SharedModelStore(local, limits, settings, session,
                system.dispatchers().lookup(DispatcherSelector.blocking()));
    }

    /** The CQL that creates the tables in {@code keyspace} (also in {@code cql/verdict-cassandra.cql}). */
    public static List<String> createTableStatements(String keyspace) {
        return List.of("""
                CREATE TABLE IF NOT EXISTS %s.%s (
                  model_digest text PRIMARY KEY,
                  format text,
                  size bigint,
                  chunk_size int,
                  chunk_count int,
                  sha256 text,
                  stored_at timestamp)""".formatted(keyspace, ARTIFACTS_TABLE), """
                CREATE TABLE IF NOT EXISTS %s.%s (
                  model_digest text,
                  chunk_nr int,
                  data blob,
                  PRIMARY KEY ((model_digest, chunk_nr)))""".formatted(keyspace, CHUNKS_TABLE));
    }

    public Settings settings() {
        return settings;
    }

    /** Downloads started by this instance (concurrent fetches of one digest count once). */
    public long downloads() {
        return downloads.get();
    }

    /** Whether shared storage holds a complete artifact for {@code digest}. */
    public CompletionStage<Boolean> contains(ModelDigest digest) {
        return supplyBlocking(() -> artifactRow(await(statements()), digest).isPresent());
    }

    /**
     * Uploads the artifact of {@code digest} from the local store unless shared storage already
     * holds it. Completes with whether this call uploaded it; fails with {@link ModelNotStored} if
     * the local store does not have it, {@link ModelDigestMismatch} if its files were changed (no
     * artifact row is written then), or the driver's error if Cassandra cannot be written.
     */
    public CompletionStage<Boolean> put(ModelDigest digest) {
        return supplyBlocking(() -> upload(digest));
    }

    /**
     * The local path of the model {@code digest}, fetching it from shared storage first if the local
     * store lacks it. Fails with {@link ModelNotShared} if shared storage does not hold it, with
     * {@link SharedArtifactRejected} if what it holds is damaged or is not that model (nothing is
     * stored then), or with the driver's error if Cassandra cannot be read.
     */
    public CompletionStage<Path> fetch(ModelDigest digest) {
        if (local.contains(digest)) {
            return CompletableFuture.completedFuture(local.path(digest));
        }
        CompletableFuture<Path> mine = new CompletableFuture<>();
        CompletableFuture<Path> running = fetching.putIfAbsent(digest, mine);
        if (running != null) {
            return running.copy();
        }
        if (local.contains(digest)) { // a download finished between the first check and putIfAbsent
            fetching.remove(digest, mine);
            mine.complete(local.path(digest));
            return mine.copy();
        }
        downloads.incrementAndGet();
        try {
            blocking.execute(() -> {
                try {
                    mine.complete(download(digest));
                } catch (Throwable e) {
                    mine.completeExceptionally(e);
                } finally {
                    fetching.remove(digest, mine);
                }
            });
        } catch (RejectedExecutionException e) {
            fetching.remove(digest, mine);
            mine.completeExceptionally(e);
        }
        return mine.copy();
    }

    // --- upload --------------------------------------------------------------------------------

    private boolean upload(ModelDigest digest) {
        Statements st = await(statements());
        if (artifactRow(st, digest).isPresent()) {
            return false;
        }
        if (!local.contains(digest)) {
            throw new ModelNotStored(digest);
        }
        ArtifactManifest manifest;
        ChunkWriter chunks = new ChunkWriter(st, digest);
        try (chunks) {
            manifest = ModelStore.zip(local.path(digest), chunks);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upload model " + digest + ": " + e.getMessage(), e);
        }
        if (!manifest.digest().equals(digest)) {
            throw new ModelDigestMismatch(digest, manifest.digest());
        }
        await(session.executeWrite(consistent(st.insertArtifact().bind(digest.toString(), FORMAT, chunks.size,
                settings.chunkBytes(), chunks.count, new ContentDigest(chunks.sha.digest()).toString(),
                Instant.now()))));
        return true;
    }

    /** Cuts what is written into chunks and writes them, at most {@link #WINDOW} in flight. */
    private final class ChunkWriter extends OutputStream {
        private final Statements st;
        private final ModelDigest digest;
        private final byte[] buffer = new byte[settings.chunkBytes()];
        private final Deque<CompletableFuture<?>> inFlight = new ArrayDeque<>();
        private final MessageDigest sha = ContentDigest.newSha256();
        private int filled;
        private int count;
        private long size;

        ChunkWriter(Statements st, ModelDigest digest) {
            this.st = st;
            this.digest = digest;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length) {
                    writeChunk();
                }
            }
        }

        private void writeChunk() {
            byte[] data = Arrays.copyOf(buffer, filled);
            sha.update(data);
            size += data.length;
            filled = 0;
            if (inFlight.size() >= WINDOW) {
                await(inFlight.removeFirst());
            }
            inFlight.addLast(session.executeWrite(consistent(
                    st.insertChunk().bind(digest.toString(), count, ByteBuffer.wrap(data)))).toCompletableFuture());
            count++;
        }

        /** Writes the last, partial chunk and waits until every chunk is acknowledged. */
        @Override
        public void close() {
            if (filled > 0) {
                writeChunk();
            }
            while (!inFlight.isEmpty()) {
                await(inFlight.removeFirst());
            }
        }
    }

    // --- download ------------------------------------------------------------------------------

    private Path download(ModelDigest digest) {
        Statements st = await(statements());
        ArtifactRow row = artifactRow(st, digest).orElseThrow(() -> new ModelNotShared(digest));
        checkRow(digest, row);
        Path spool = null;
        try {
            spool = Files.createTempFile(local.root(), ".fetch-", ".zip");
            MessageDigest sha = ContentDigest.newSha256();
            Deque<CompletableFuture<Optional<Row>>> ahead = new ArrayDeque<>();
            int requested = 0;
            try (OutputStream out = Files.newOutputStream(spool, StandardOpenOption.WRITE)) {
                for (int nr = 0; nr < row.chunks(); nr++) {
                    while (requested < row.chunks() && ahead.size() < WINDOW) {
                        ahead.addLast(session.selectOne(consistent(st.selectChunk().bind(digest.toString(), requested)))
                                .toCompletableFuture());
                        requested++;
                    }
                    Row chunk = await(ahead.removeFirst()).orElseThrow(
                            missingChunk(digest, nr, row));
                    ByteBuffer data = chunk.getByteBuffer("data");
                    byte[] bytes = new byte[data == null ? 0 : data.remaining()];
                    if (data != null) {
                        data.get(bytes);
                    }
                    long expected = nr < row.chunks() - 1 ? row.chunkBytes()
                            : row.size() - (long) row.chunkBytes() * (row.chunks() - 1);
                    if (bytes.length != expected) {
                        throw new SharedArtifactRejected(digest, "chunk " + nr + " of " + row.chunks() + " holds "
                                + bytes.length + " bytes, the artifact row says " + expected, null);
                    }
                    sha.update(bytes);
                    out.write(bytes);
                }
            }
            ContentDigest actual = new ContentDigest(sha.digest());
            if (!actual.equals(row.sha256())) {
                throw new SharedArtifactRejected(digest, "the chunks hash to " + actual + ", the artifact row says "
                        + row.sha256() + " (a chunk was altered)", null);
            }
            try {
                return local.importZip(spool, digest, limits).path();
            } catch (ModelImportException e) {
                throw new SharedArtifactRejected(digest, e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch model " + digest + " into " + local.root() + ": "
                    + e.getMessage(), e);
        } finally {
            ModelStore.deleteQuietly(spool);
        }
    }

    private static java.util.function.Supplier<SharedArtifactRejected> missingChunk(ModelDigest digest, int nr,
                                                                                  ArtifactRow row) {
        return () -> new SharedArtifactRejected(digest, "chunk " + nr + " of " + row.chunks() + " is missing", null);
    }

    private void checkRow(ModelDigest digest, ArtifactRow row) {
        if (!FORMAT.equals(row.format())) {
            throw new SharedArtifactRejected(digest, "unknown artifact format '" + row.format() + "'", null);
        }
        if (row.size() < 1 || row.chunkBytes() < 1 || row.chunks() < 1
                || row.chunks() != (row.size() + row.chunkBytes() - 1) / row.chunkBytes()) {
            throw new SharedArtifactRejected(digest, "inconsistent artifact row: " + row.size() + " bytes in "
                    + row.chunks() + " chunks of " + row.chunkBytes(), null);
        }
        if (row.size() > limits.maxArchiveBytes()) {
            throw new SharedArtifactRejected(digest, "the artifact is " + row.size() + " bytes, over this node's "
                    + "limit of " + limits.maxArchiveBytes(), null);
        }
    }

    private Optional<ArtifactRow> artifactRow(Statements st, ModelDigest digest) {
        return await(session.selectOne(consistent(st.selectArtifact().bind(digest.toString())))).map(r -> {
            ContentDigest sha;
            try {
                sha = ContentDigest.parse(String.valueOf(r.getString("sha256")));
            } catch (IllegalArgumentException e) {
                throw new SharedArtifactRejected(digest, "the artifact row's SHA-256 is unreadable", e);
            }
            return new ArtifactRow(r.getLong("size"), r.getInt("chunk_size"), r.getInt("chunk_count"), sha,
                    r.getString("format"));
        });
    }

    // --- schema and statements -----------------------------------------------------------------

    private CompletionStage<Statements> statements() {
        while (true) {
            CompletableFuture<Statements> current = statements.get();
            if (current != null && !current.isCompletedExceptionally()) {
                return current;
            }
            CompletableFuture<Statements> mine = new CompletableFuture<>();
            if (statements.compareAndSet(current, mine)) {
                prepare().whenComplete((s, e) -> {
                    if (e != null) {
                        mine.completeExceptionally(e);
                    } else {
                        mine.complete(s);
                    }
                });
                return mine;
            }
        }
    }

    private CompletionStage<Statements> prepare() {
        String ks = settings.keyspace();
        CompletionStage<?> schema = CompletableFuture.completedFuture(null);
        if (settings.autoCreate()) {
            schema = ddl("CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = "
                    + "{'class': 'SimpleStrategy', 'replication_factor': " + settings.replicationFactor() + "}");
            for (String table : createTableStatements(ks)) {
                schema = schema.thenCompose(done -> ddl(table));
            }
        }
        String chunks = ks + "." + CHUNKS_TABLE;
        String artifacts = ks + "." + ARTIFACTS_TABLE;
        return schema.thenCompose(done -> session.prepare(
                        "INSERT INTO " + chunks + " (model_digest, chunk_nr, data) VALUES (?, ?, ?)"))
                .thenCompose(insertChunk -> session.prepare(
                        "SELECT data FROM " + chunks + " WHERE model_digest = ? AND chunk_nr = ?")
                        .thenCompose(selectChunk -> session.prepare("INSERT INTO " + artifacts
                                        + " (model_digest, format, size, chunk_size, chunk_count, sha256, stored_at)"
                                        + " VALUES (?, ?, ?, ?, ?, ?, ?)")
                                .thenCompose(insertArtifact -> session.prepare(
                                                "SELECT format, size, chunk_size, chunk_count, sha256 FROM " + artifacts
                                                        + " WHERE model_digest = ?")
                                        .thenApply(selectArtifact -> new Statements(insertChunk, selectChunk,
                                                insertArtifact, selectArtifact)))));
    }

    /** A schema change; these wait for every Cassandra node to agree, so they get a longer timeout. */
    private CompletionStage<?> ddl(String cql) {
        return session.executeWrite(SimpleStatement.newInstance(cql).setTimeout(DDL_TIMEOUT));
    }

    private BoundStatement consistent(BoundStatement statement) {
        return statement.setConsistencyLevel(CONSISTENCY).setTimeout(settings.requestTimeout());
    }

    private <T> CompletionStage<T> supplyBlocking(java.util.function.Supplier<T> task) {
        try {
            return CompletableFuture.supplyAsync(task, blocking);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for a driver call (each has the driver's request timeout); rethrows its failure as is. */
    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new CompletionException(cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }
}
