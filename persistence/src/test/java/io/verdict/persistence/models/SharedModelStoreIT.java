package io.verdict.persistence.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.engine.LoadedModel;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.tensorflow.TensorFlowEngine;
import io.verdict.persistence.journal.CassandraJournal;
import io.verdict.persistence.journal.LocalCassandra;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.connectors.cassandra.CassandraSessionSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared model store on a real Cassandra 5 (scripts/cassandra): a model put from one node's
 * store is fetched into another, empty one and loads; damaged, foreign, half-written and missing
 * artifacts are refused with typed errors and leave nothing in the target store; concurrent
 * fetches of one digest share one download.
 */
class SharedModelStoreIT {

    private static final String KEYSPACE = "verdict_models_it";
    /** Small chunks, so that every artifact here spans several. */
    private static final int CHUNK = 16 * 1024;

    private static LocalCassandra cassandra;
    private static ActorTestKit kit;
    private static CassandraSession cql;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(),
                Files.createTempDirectory(target, "cassandra-models-it-"));
        Config config = CassandraJournal.config(List.of(cassandra.contactPoint()), ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                verdict.cassandra.models.keyspace = %s
                verdict.cassandra.models.chunk-size = %d
                """.formatted(KEYSPACE, CHUNK)));
        kit = ActorTestKit.create("shared-models-it", config);
        cql = CassandraSessionRegistry.get(kit.system())
                .sessionFor(CassandraSessionSettings.create(SharedModelStore.CONFIG_PATH + ".session"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kit != null) {
            kit.shutdownTestKit();
        }
        if (cassandra != null) {
            cassandra.close();
        }
    }

    // --- fixtures ------------------------------------------------------------------------------

    private ModelStore store(String name) {
        return new ModelStore(tmp.resolve(name));
    }

    private static SharedModelStore shared(ModelStore local) {
        return SharedModelStore.create(kit.system(), local, ModelStore.Limits.DEFAULT);
    }

    /** Imports {@code dir} into {@code store} as a publisher would; returns its digest. */
    private static ModelDigest importDir(ModelStore store, Path dir) throws IOException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        ModelDigest digest = ModelStore.zip(dir, zip).digest();
        store.importZip(new ByteArrayInputStream(zip.toByteArray()), digest, ModelStore.Limits.DEFAULT);
        return digest;
    }

    /** A directory of random (incompressible) files, unique per seed. */
    private Path randomArtifact(long seed, int bytes) throws IOException {
        Path dir = tmp.resolve("artifact-" + seed);
        Random r = new Random(seed);
        byte[] a = new byte[bytes];
        r.nextBytes(a);
        Files.createDirectories(dir.resolve("variables"));
        Files.write(dir.resolve("saved_model.pb"), a);
        Files.writeString(dir.resolve("variables/variables.index"), "seed " + seed);
        return dir;
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The failure of {@code stage}, which must fail. */
    private static Throwable failure(java.util.concurrent.CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
        return e.getCause();
    }

    private static List<Row> chunks(ModelDigest digest, int count) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (int nr = 0; nr < count; nr++) {
            rows.addAll(await(cql.selectAll("SELECT chunk_nr, data FROM " + KEYSPACE + ".model_chunks"
                    + " WHERE model_digest = ? AND chunk_nr = ?", digest.toString(), nr)));
        }
        return rows;
    }

    private static Row artifactRow(ModelDigest digest) throws Exception {
        return await(cql.selectOne("SELECT * FROM " + KEYSPACE + ".model_artifacts WHERE model_digest = ?",
                digest.toString())).orElseThrow();
    }

    private static List<Path> contents(ModelStore store) throws IOException {
        try (Stream<Path> files = Files.list(store.root())) {
            return files.toList();
        }
    }

    // --- tests ---------------------------------------------------------------------------------

    @Test
    void aModelPutFromOneStoreIsFetchedIntoAnotherAndLoads() throws Exception {
        Path exported = DemoModels.ensureExported(tmp.resolve("demo"), DemoModels.Kind.CNN);
        ModelStore a = store("node-a");
        ModelDigest digest = importDir(a, exported);
        SharedModelStore sharedA = shared(a);

        assertFalse(await(sharedA.contains(digest)));
        assertTrue(await(sharedA.put(digest)), "uploaded");
        assertFalse(await(sharedA.put(digest)), "already there: not uploaded again");
        Row row = artifactRow(digest);
        int count = row.getInt("chunk_count");
        assertTrue(count > 1, "spans several chunks: " + count);
        assertEquals(count, chunks(digest, count + 1).size(), "exactly chunk_count chunks");

        ModelStore b = store("node-b");
        SharedModelStore sharedB = shared(b);
        assertTrue(await(sharedB.contains(digest)));
        Path fetched = await(sharedB.fetch(digest));
        assertEquals(b.path(digest), fetched);
        assertEquals(digest, b.manifest(digest).digest());
        assertEquals(List.of(b.path(digest)), contents(b), "no temporary file left");
        try (LoadedModel model = new TensorFlowEngine().load(fetched, digest)) {
            assertEquals(ArtifactManifest.scan(exported).digest(), digest);
            assertFalse(model.signature().inputs().isEmpty(), "the fetched model loads");
        }
        assertEquals(fetched, await(sharedB.fetch(digest)), "a second fetch is local");
        assertEquals(1, sharedB.downloads());
    }

    @Test
    void anAlteredChunkIsRefusedAndNothingIsStored() throws Exception {
        ModelStore a = store("node-a");
        ModelDigest digest = importDir(a, randomArtifact(11, 50_000));
        await(shared(a).put(digest));
        ByteBuffer data = chunks(digest, 2).get(1).getByteBuffer("data");
        byte[] altered = new byte[data.remaining()];
        data.get(altered);
        altered[100] ^= 1;
        await(cql.executeWrite("UPDATE " + KEYSPACE + ".model_chunks SET data = ? WHERE model_digest = ? AND chunk_nr = 1",
                ByteBuffer.wrap(altered), digest.toString()));

        ModelStore b = store("node-b");
        Throwable e = failure(shared(b).fetch(digest));
        SharedArtifactRejected rejected = assertInstanceOf(SharedArtifactRejected.class, e);
        assertEquals(digest, rejected.digest());
        assertTrue(e.getMessage().contains(digest.toString()) && e.getMessage().contains("altered"), e.getMessage());
        assertFalse(b.contains(digest));
        assertEquals(List.of(), contents(b), "the temporary file is removed, nothing is stored");
    }

    @Test
    void aShortChunkIsRefused() throws Exception {
        ModelStore a = store("node-a");
        ModelDigest digest = importDir(a, randomArtifact(12, 50_000));
        await(shared(a).put(digest));
        await(cql.executeWrite("UPDATE " + KEYSPACE + ".model_chunks SET data = ? WHERE model_digest = ? AND chunk_nr = 0",
                ByteBuffer.wrap(new byte[10]), digest.toString()));

        ModelStore b = store("node-b");
        Throwable e = failure(shared(b).fetch(digest));
        assertInstanceOf(SharedArtifactRejected.class, e);
        assertTrue(e.getMessage().contains(digest + " from shared storage was refused: chunk 0 of"), e.getMessage());
        assertEquals(List.of(), contents(b));
    }

    @Test
    void anotherModelStoredUnderTheDigestIsRefusedBeforeItIsStored() throws Exception {
        ModelStore a = store("node-a");
        ModelDigest real = importDir(a, randomArtifact(13, 40_000));
        ModelDigest claimed = ArtifactManifest.scan(randomArtifact(14, 40_000)).digest();
        await(shared(a).put(real));
        // Chunks and artifact row consistent with each other, under the wrong digest.
        Row row = artifactRow(real);
        int count = row.getInt("chunk_count");
        for (Row chunk : chunks(real, count)) {
            await(cql.executeWrite("INSERT INTO " + KEYSPACE + ".model_chunks (model_digest, chunk_nr, data)"
                    + " VALUES (?, ?, ?)", claimed.toString(), chunk.getInt("chunk_nr"), chunk.getByteBuffer("data")));
        }
        await(cql.executeWrite("INSERT INTO " + KEYSPACE + ".model_artifacts (model_digest, format, size, chunk_size,"
                        + " chunk_count, sha256) VALUES (?, ?, ?, ?, ?, ?)", claimed.toString(), row.getString("format"),
                row.getLong("size"), row.getInt("chunk_size"), count, row.getString("sha256")));

        ModelStore b = store("node-b");
        Throwable e = failure(shared(b).fetch(claimed));
        assertInstanceOf(SharedArtifactRejected.class, e);
        assertInstanceOf(ClaimedDigestMismatch.class, e.getCause(), "the store's digest check refused it");
        assertTrue(e.getMessage().contains(claimed.toString()) && e.getMessage().contains(real.toString()),
                e.getMessage());
        assertEquals(List.of(), contents(b));
    }

    @Test
    void aMissingOrHalfWrittenArtifactIsNotInSharedStorage() throws Exception {
        ModelStore b = store("node-b");
        ModelDigest absent = ArtifactManifest.scan(randomArtifact(15, 1_000)).digest();
        Throwable e = failure(shared(b).fetch(absent));
        assertInstanceOf(ModelNotShared.class, e);
        assertEquals("model " + absent + " is not in shared storage", e.getMessage());

        // An upload that stopped before its artifact row: the chunks are there, the model is not.
        ModelStore a = store("node-a");
        ModelDigest halfWritten = importDir(a, randomArtifact(16, 40_000));
        await(shared(a).put(halfWritten));
        await(cql.executeWrite("DELETE FROM " + KEYSPACE + ".model_artifacts WHERE model_digest = ?",
                halfWritten.toString()));
        assertFalse(await(shared(b).contains(halfWritten)));
        assertInstanceOf(ModelNotShared.class, failure(shared(b).fetch(halfWritten)));
        assertEquals(List.of(), contents(b));
    }

    @Test
    void concurrentFetchesOfOneDigestShareOneDownload() throws Exception {
        ModelStore a = store("node-a");
        ModelDigest digest = importDir(a, randomArtifact(17, 2_000_000));
        await(shared(a).put(digest));

        ModelStore b = store("node-b");
        SharedModelStore sharedB = shared(b);
        int callers = 8;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(callers);
        try {
            List<Future<CompletableFuture<Path>>> calls = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                calls.add(threads.submit(() -> {
                    go.await();
                    return sharedB.fetch(digest).toCompletableFuture();
                }));
            }
            go.countDown();
            List<CompletableFuture<Path>> fetches = new ArrayList<>();
            for (Future<CompletableFuture<Path>> call : calls) {
                fetches.add(call.get(60, TimeUnit.SECONDS));
            }
            for (CompletableFuture<Path> f : fetches) {
                assertEquals(b.path(digest), f.get(60, TimeUnit.SECONDS));
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, sharedB.downloads(), "one download for " + callers + " concurrent fetches");
        assertEquals(digest, b.manifest(digest).digest());
        assertEquals(List.of(b.path(digest)), contents(b));
    }
}
