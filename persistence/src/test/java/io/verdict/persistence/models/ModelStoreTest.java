package io.verdict.persistence.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.model.ModelDigestMismatch;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreTest {

    private static final ModelStore.Limits LIMITS = ModelStore.Limits.of(100, 10 << 20);

    @TempDir
    Path tmp;

    // --- fixtures ------------------------------------------------------------------------------

    private Path artifact(String name, long seed) throws IOException {
        Path dir = tmp.resolve(name);
        Random r = new Random(seed);
        write(dir.resolve("saved_model.pb"), bytes(r, 10_000));
        write(dir.resolve("variables/variables.data-00000-of-00001"), bytes(r, 70_000));
        write(dir.resolve("variables/variables.index"), bytes(r, 300));
        write(dir.resolve("assets/vocab.txt"), "a\nb\nc\n".getBytes(StandardCharsets.UTF_8));
        Files.createDirectories(dir.resolve("empty"));
        return dir;
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static void write(Path p, byte[] content) throws IOException {
        Files.createDirectories(p.getParent());
        Files.write(p, content);
    }

    private static byte[] zipOf(Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelStore.zip(dir, out);
        return out.toByteArray();
    }

    /** A zip with arbitrary entry names (ZipOutputStream does not check them); a name ending in '/' is a directory. */
    private static byte[] rawZip(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zos = new ZipOutputStream(out, StandardCharsets.UTF_8)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zos.putNextEntry(new ZipEntry(e.getKey()));
                zos.write(e.getValue());
                zos.closeEntry();
            }
        }
        return out.toByteArray();
    }

    private static Map<String, byte[]> entries(String... namesAndContents) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            m.put(namesAndContents[i], namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return m;
    }

    /** Applies {@code patch} to the central-directory record of {@code name} (buffer positioned at the record). */
    private static byte[] patchCentral(byte[] zip, String name, Consumer<ByteBuffer> patch) {
        byte[] copy = zip.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = copy.length - 22;
        assertEquals(0x06054b50, b.getInt(eocd));
        int count = b.getShort(eocd + 10) & 0xFFFF;
        int p = b.getInt(eocd + 16);
        for (int i = 0; i < count; i++) {
            int nameLen = b.getShort(p + 28) & 0xFFFF;
            int extraLen = b.getShort(p + 30) & 0xFFFF;
            int commentLen = b.getShort(p + 32) & 0xFFFF;
            String n = new String(copy, p + 46, nameLen, StandardCharsets.UTF_8);
            if (n.equals(name)) {
                patch.accept(b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(p).slice().order(ByteOrder.LITTLE_ENDIAN));
                return copy;
            }
            p += 46 + nameLen + extraLen + commentLen;
        }
        throw new AssertionError("no entry " + name);
    }

    private static Consumer<ByteBuffer> unixMode(int mode) {
        return b -> {
            b.putShort(4, (short) (3 << 8 | 20));
            b.putInt(38, mode << 16);
        };
    }

    private ModelStore store() {
        return new ModelStore(tmp.resolve("store"));
    }

    private static ModelDigest anyDigest() {
        return ModelDigest.parse("sha256:" + "ab".repeat(32));
    }

    private <T extends Throwable> T refused(Class<T> type, byte[] zip, ModelStore.Limits limits) throws IOException {
        ModelStore store = store();
        T e = assertThrows(type, () -> store.importZip(new ByteArrayInputStream(zip), anyDigest(), limits));
        assertEquals(List.of(), leftovers(store), "nothing stored, no temporaries left");
        return e;
    }

    private static List<String> leftovers(ModelStore store) throws IOException {
        try (Stream<Path> s = Files.list(store.root())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // --- happy path ------------------------------------------------------------------------------

    @Test
    void zipThenImportGivesTheSourceManifest() throws IOException {
        Path src = artifact("mlp", 1);
        ArtifactManifest expected = ArtifactManifest.scan(src);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(expected, ModelStore.zip(src, out));

        ModelStore store = store();
        ModelDigest digest = expected.digest();
        assertFalse(store.contains(digest));
        ModelStore.Imported imported = store.importZip(new ByteArrayInputStream(out.toByteArray()), digest, LIMITS);

        assertTrue(imported.newlyStored());
        assertEquals(digest, imported.digest());
        assertEquals(expected, imported.manifest());
        assertEquals(store.root().resolve(digest.value().hex()), imported.path());
        assertEquals(store.path(digest), imported.path());
        assertTrue(store.contains(digest));
        assertEquals(expected, store.manifest(digest));
        assertArrayEquals(Files.readAllBytes(src.resolve("variables/variables.index")),
                Files.readAllBytes(store.path(digest).resolve("variables/variables.index")));
        assertEquals(List.of(digest.value().hex()), leftovers(store));
    }

    @Test
    void zipIsDeterministic() throws IOException {
        Path src = artifact("mlp", 2);
        byte[] first = zipOf(src);
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.toList()) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(1_234_567_890_000L));
            }
        }
        byte[] second = zipOf(src);
        assertArrayEquals(first, second, "timestamps do not leak into the zip");

        List<String> names = new ArrayList<>();
        try (var zis = new java.util.zip.ZipInputStream(new ByteArrayInputStream(first))) {
            for (ZipEntry e; (e = zis.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertEquals(List.of("assets/vocab.txt", "saved_model.pb", "variables/variables.data-00000-of-00001",
                "variables/variables.index"), names);
    }

    @Test
    void anInspectionThatRefusesLeavesNothingStoredAndOneThatAcceptsSeesTheVerifiedFiles() throws IOException {
        Path src = artifact("mlp", 7);
        byte[] zip = zipOf(src);
        ModelDigest digest = ArtifactManifest.scan(src).digest();
        ModelStore store = store();
        IllegalStateException refusal = assertThrows(IllegalStateException.class, () -> store.importZip(
                new ByteArrayInputStream(zip), digest, LIMITS, dir -> {
                    throw new IllegalStateException("refused by the scan");
                }));
        assertEquals("refused by the scan", refusal.getMessage());
        assertFalse(store.contains(digest));
        assertEquals(List.of(), leftovers(store));

        List<ModelDigest> seen = new java.util.ArrayList<>();
        store.importZip(new ByteArrayInputStream(zip), digest, LIMITS,
                dir -> seen.add(ArtifactManifest.scan(dir).digest()));
        assertEquals(List.of(digest), seen);
        assertTrue(store.contains(digest));
    }

    @Test
    void reimportKeepsTheExistingCopy() throws IOException {
        Path src = artifact("mlp", 3);
        byte[] zip = zipOf(src);
        ModelDigest digest = ArtifactManifest.scan(src).digest();
        ModelStore store = store();
        assertTrue(store.importZip(new ByteArrayInputStream(zip), digest, LIMITS).newlyStored());
        FileTime before = Files.getLastModifiedTime(store.path(digest).resolve("saved_model.pb"));

        ModelStore.Imported again = store.importZip(new ByteArrayInputStream(zip), digest, LIMITS);
        assertFalse(again.newlyStored());
        assertEquals(store.path(digest), again.path());
        assertEquals(before, Files.getLastModifiedTime(store.path(digest).resolve("saved_model.pb")));
        assertEquals(List.of(digest.value().hex()), leftovers(store));
    }

    @Test
    void concurrentImportsUseDistinctTemporariesAndStoreEachModelOnce() throws Exception {
        Path a = artifact("a", 4);
        Path b = artifact("b", 5);
        byte[] zipA = zipOf(a);
        byte[] zipB = zipOf(b);
        ModelDigest da = ArtifactManifest.scan(a).digest();
        ModelDigest db = ArtifactManifest.scan(b).digest();
        ModelStore store = store();
        int threads = 12;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<ModelStore.Imported>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                boolean first = i % 2 == 0;
                Callable<ModelStore.Imported> task = () -> {
                    go.await();
                    return store.importZip(new ByteArrayInputStream(first ? zipA : zipB), first ? da : db, LIMITS);
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            int storedA = 0;
            int storedB = 0;
            for (Future<ModelStore.Imported> f : results) {
                ModelStore.Imported r = f.get();
                if (r.newlyStored()) {
                    if (r.digest().equals(da)) {
                        storedA++;
                    } else {
                        storedB++;
                    }
                }
            }
            assertEquals(1, storedA);
            assertEquals(1, storedB);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(ArtifactManifest.scan(a), store.manifest(da));
        assertEquals(ArtifactManifest.scan(b), store.manifest(db));
        assertEquals(Stream.of(da, db).map(d -> d.value().hex()).sorted().toList(), leftovers(store));
    }

    @Test
    void manifestDetectsTamperingAndAbsence() throws IOException {
        Path src = artifact("mlp", 6);
        ModelDigest digest = ArtifactManifest.scan(src).digest();
        ModelStore store = store();
        assertThrows(ModelNotStored.class, () -> store.manifest(digest));
        store.importZip(new ByteArrayInputStream(zipOf(src)), digest, LIMITS);
        Files.writeString(store.path(digest).resolve("assets/vocab.txt"), "tampered");
        ModelDigestMismatch e = assertThrows(ModelDigestMismatch.class, () -> store.manifest(digest));
        assertEquals(digest, e.expected());
    }

    // --- refusals ------------------------------------------------------------------------------

    @Test
    void claimedDigestMismatchNamesBothDigests() throws IOException {
        Path src = artifact("mlp", 7);
        ModelDigest actual = ArtifactManifest.scan(src).digest();
        ModelDigest claimed = anyDigest();
        ModelStore store = store();
        ClaimedDigestMismatch e = assertThrows(ClaimedDigestMismatch.class,
                () -> store.importZip(new ByteArrayInputStream(zipOf(src)), claimed, LIMITS));
        assertEquals(claimed, e.claimed());
        assertEquals(actual, e.actual());
        assertTrue(e.getMessage().contains(claimed.toString()) && e.getMessage().contains(actual.toString()), e.getMessage());
        assertFalse(store.contains(claimed));
        assertFalse(store.contains(actual));
        assertEquals(List.of(), leftovers(store));
    }

    @Test
    void absolutePathsAreRefused() throws IOException {
        for (String name : List.of("/etc/passwd", "C:/windows/x.dll", "\\share\\x")) {
            UnsafeZipEntry e = refused(UnsafeZipEntry.class, rawZip(entries("ok.txt", "x", name, "evil")), LIMITS);
            assertEquals(UnsafeZipEntry.Reason.ABSOLUTE_PATH, e.reason(), name);
            assertEquals(name, e.entry());
            assertTrue(e.getMessage().contains(name));
        }
    }

    @Test
    void traversalIsRefused() throws IOException {
        for (String name : List.of("../evil.txt", "a/../../evil.txt", "a/..", "..\\evil.txt")) {
            UnsafeZipEntry e = refused(UnsafeZipEntry.class, rawZip(entries(name, "evil")), LIMITS);
            assertEquals(UnsafeZipEntry.Reason.PATH_TRAVERSAL, e.reason(), name);
            assertEquals(name, e.entry());
        }
        assertFalse(Files.exists(tmp.resolve("evil.txt")));
    }

    @Test
    void oddNamesAreRefused() throws IOException {
        for (String name : List.of("a//b", "./a", "a/./b", "a\\b", "a\nb")) {
            UnsafeZipEntry e = refused(UnsafeZipEntry.class, rawZip(entries(name, "x")), LIMITS);
            assertEquals(UnsafeZipEntry.Reason.BAD_NAME, e.reason(), name);
        }
    }

    @Test
    void symbolicLinksAreRefused() throws IOException {
        byte[] zip = patchCentral(rawZip(entries("model.pb", "x", "link", "/etc/passwd")), "link", unixMode(0120777));
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, zip, LIMITS);
        assertEquals(UnsafeZipEntry.Reason.SYMBOLIC_LINK, e.reason());
        assertEquals("link", e.entry());
    }

    @Test
    void specialFilesAreRefused() throws IOException {
        for (int mode : new int[] {0010644, 0020644, 0060644, 0140644}) {
            byte[] zip = patchCentral(rawZip(entries("model.pb", "x", "dev", "")), "dev", unixMode(mode));
            UnsafeZipEntry e = refused(UnsafeZipEntry.class, zip, LIMITS);
            assertEquals(UnsafeZipEntry.Reason.SPECIAL_FILE, e.reason(), Integer.toOctalString(mode));
            assertEquals("dev", e.entry());
        }
        // an ordinary Unix regular file passes that check
        byte[] ok = patchCentral(rawZip(entries("model.pb", "x")), "model.pb", unixMode(0100644));
        assertThrows(ClaimedDigestMismatch.class,
                () -> store().importZip(new ByteArrayInputStream(ok), anyDigest(), LIMITS));
    }

    @Test
    void duplicateEntriesAreRefused() throws IOException {
        byte[] zip = patchCentral(rawZip(entries("a.txt", "one", "b.txt", "two")), "b.txt",
                b -> b.position(46).put("a.txt".getBytes(StandardCharsets.UTF_8)));
        UnsafeZipEntry e = refused(UnsafeZipEntry.class, zip, LIMITS);
        assertEquals(UnsafeZipEntry.Reason.DUPLICATE, e.reason());
        assertEquals("a.txt", e.entry());

        UnsafeZipEntry conflict = refused(UnsafeZipEntry.class, rawZip(entries("a", "file", "a/b", "under a file")), LIMITS);
        assertEquals(UnsafeZipEntry.Reason.DUPLICATE, conflict.reason());
        assertEquals("a", conflict.entry());
    }

    @Test
    void tooManyFilesAreRefused() throws IOException {
        ZipLimitExceeded e = refused(ZipLimitExceeded.class,
                rawZip(entries("d/", "", "a", "1", "b", "2", "c", "3")), ModelStore.Limits.of(2, 1 << 20));
        assertEquals(ZipLimitExceeded.Limit.FILES, e.limit());
        assertEquals(2, e.max());
        assertEquals("c", e.entry());
    }

    @Test
    void tooManyBytesAreRefusedCountingRealBytesNotHeaders() throws IOException {
        Map<String, byte[]> bomb = new LinkedHashMap<>();
        bomb.put("zeros.bin", new byte[1 << 20]);
        byte[] zip = rawZip(bomb);
        assertTrue(zip.length < 10_000, "compresses well: " + zip.length);
        ModelStore.Limits limits = ModelStore.Limits.of(10, 100_000);

        ZipLimitExceeded e = refused(ZipLimitExceeded.class, zip, limits);
        assertEquals(ZipLimitExceeded.Limit.TOTAL_BYTES, e.limit());
        assertEquals("zeros.bin", e.entry());

        byte[] lying = patchCentral(zip, "zeros.bin", b -> b.putInt(24, 10));
        assertEquals(ZipLimitExceeded.Limit.TOTAL_BYTES, refused(ZipLimitExceeded.class, lying, limits).limit());
    }

    @Test
    void tooLargeArchiveIsRefusedWhileReading() throws IOException {
        byte[] zip = rawZip(entries("a", "x".repeat(5000)));
        ZipLimitExceeded e = refused(ZipLimitExceeded.class, zip, new ModelStore.Limits(10, 1 << 20, 50));
        assertEquals(ZipLimitExceeded.Limit.ARCHIVE_BYTES, e.limit());
    }

    @Test
    void emptyInputAndEmptyArchivesAreRefused() throws IOException {
        assertTrue(refused(CorruptZip.class, new byte[0], LIMITS).getMessage().contains("empty"));
        assertTrue(refused(CorruptZip.class, rawZip(Map.of()), LIMITS).getMessage().contains("no files"));
        assertTrue(refused(CorruptZip.class, rawZip(entries("dir/", "")), LIMITS).getMessage().contains("no files"));
    }

    @Test
    void truncatedAndGarbageInputIsRefused() throws IOException {
        byte[] zip = zipOf(artifact("mlp", 8));
        for (int cut : new int[] {10, zip.length / 2, zip.length - 30, zip.length - 1}) {
            refused(CorruptZip.class, Arrays.copyOf(zip, cut), LIMITS);
        }
        refused(CorruptZip.class, bytes(new Random(9), 5000), LIMITS);
    }

    @Test
    void damagedDataIsRefusedNamingTheEntry() throws IOException {
        Map<String, byte[]> content = new LinkedHashMap<>();
        content.put("weights.bin", bytes(new Random(10), 50_000));
        byte[] zip = rawZip(content);
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int dataStart = 30 + (b.getShort(26) & 0xFFFF) + (b.getShort(28) & 0xFFFF);
        zip[dataStart + 20_000] ^= 0x5A;
        CorruptZip e = refused(CorruptZip.class, zip, LIMITS);
        assertEquals("weights.bin", e.entry());
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> ModelStore.Limits.of(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new ModelStore.Limits(1, 1, 0));
    }
}
