package io.verdict.persistence.models;

import io.verdict.inference.digest.ContentDigest;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.inference.model.ModelDigestMismatch;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Content-addressed local storage of model artifacts: {@code root/<64 hex of the model digest>/...}.
 *
 * <p>An artifact arrives as a zip ({@link #importZip}); it is spooled and extracted into a
 * uniquely named temporary directory inside {@code root} (names starting with '.', never a
 * digest), checked entry by entry (no absolute paths, no {@code ..}, no links or special files, no
 * duplicates, no entries whose bytes overlap, at most {@link Limits#maxFiles()} files and
 * {@link Limits#maxTotalBytes()} bytes — declared by the central directory, refused before anything
 * is extracted, and counted again while inflating, since declarations can lie), digested with
 * {@link ArtifactManifest#scan}, compared with the claimed
 * digest, and only then renamed into place atomically. A directory named by a digest is therefore
 * always complete. Safe for concurrent imports, also of the same artifact. Blocking: call it off
 * actor threads.
 */
public final class ModelStore {

    /** Timestamp written into every entry by {@link #zip}: the earliest DOS date, time-zone free. */
    static final LocalDateTime ZIP_ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");

    /**
     * Bounds on one upload: files in it, uncompressed bytes of all files (the central directory's
     * declared sizes must stay within it before extraction starts, and the real bytes are counted
     * while inflating, never trusted from headers), and bytes of the zip itself.
     *
     * <p>There is no compression-ratio bound: stored and deflated are the only methods accepted,
     * deflate cannot exceed about 1032:1, overlapping entries (the way to multiply that) are
     * refused, and the total bounds what any ratio can produce. A ratio bound would only refuse
     * honest, highly compressible files such as zero-initialised weights.
     */
    public record Limits(int maxFiles, long maxTotalBytes, long maxArchiveBytes) {
        /** 10,000 files, 4 GiB. */
        public static final Limits DEFAULT = of(10_000, 4L << 30);

        public Limits {
            if (maxFiles < 1 || maxTotalBytes < 1 || maxArchiveBytes < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxFiles + ", " + maxTotalBytes
                        + ", " + maxArchiveBytes);
            }
        }

        /** The archive bound leaves room for zip headers (stored entries are not smaller than their data). */
        public static Limits of(int maxFiles, long maxTotalBytes) {
            return new Limits(maxFiles, maxTotalBytes, maxTotalBytes + 1024L * maxFiles + (1 << 20));
        }
    }

    /** The outcome of an import: where the artifact is, its manifest, and whether this call stored it. */
    public record Imported(ModelDigest digest, Path path, ArtifactManifest manifest, boolean newlyStored) {}

    private final Path root;

    /** Opens (creating if needed) the store at {@code root}. */
    public ModelStore(Path root) {
        try {
            this.root = Files.createDirectories(root).toAbsolutePath().normalize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create model store " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    /** Where the artifact with this digest lives (whether or not it is present). */
    public Path path(ModelDigest digest) {
        return root.resolve(digest.value().hex());
    }

    public boolean contains(ModelDigest digest) {
        return Files.isDirectory(path(digest), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * Rescans the stored artifact and checks it still has its digest.
     *
     * @throws ModelNotStored if absent
     * @throws ModelDigestMismatch if the files on disk were changed
     */
    public ArtifactManifest manifest(ModelDigest digest) {
        if (!contains(digest)) {
            throw new ModelNotStored(digest);
        }
        ArtifactManifest m = ArtifactManifest.scan(path(digest));
        if (!m.digest().equals(digest)) {
            throw new ModelDigestMismatch(digest, m.digest());
        }
        return m;
    }

    /**
     * A check of an extracted artifact before it enters the store (the publish-time safety scan):
     * it throws to refuse the artifact, which is then deleted.
     */
    @FunctionalInterface
    public interface Inspection {
        /** Accepts nothing. */
        Inspection NONE = dir -> { };

        void inspect(Path dir);
    }

    /**
     * Extracts an uploaded zip, verifies it digests to {@code claimed}, and stores it. If the
     * artifact is already present the existing copy is kept and the upload discarded.
     *
     * @throws UnsafeZipEntry, ZipLimitExceeded, CorruptZip, ClaimedDigestMismatch on a bad upload
     *     (nothing is stored)
     * @throws UncheckedIOException when the store itself cannot be written
     */
    public Imported importZip(InputStream zip, ModelDigest claimed, Limits limits) {
        return importZip(zip, claimed, limits, Inspection.NONE);
    }

    /**
     * As {@link #importZip(InputStream, ModelDigest, Limits)}, and the extracted files must pass
     * {@code inspection} (run on the staging copy, after the digest check and before the artifact
     * is stored or anything else can see it); whatever it throws is thrown, and nothing is stored.
     */
    public Imported importZip(InputStream zip, ModelDigest claimed, Limits limits, Inspection inspection) {
        Path spool = null;
        try {
            spool = Files.createTempFile(root, ".upload-", ".zip");
            spoolBounded(zip, spool, limits.maxArchiveBytes());
            return importSpooled(spool, claimed, limits, inspection);
        } catch (IOException e) {
            throw new UncheckedIOException("model store " + root + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(spool);
        }
    }

    /**
     * As {@link #importZip(InputStream, ModelDigest, Limits)}, for a zip already in a file (which is
     * read in place, never modified or deleted).
     */
    public Imported importZip(Path zip, ModelDigest claimed, Limits limits) {
        try {
            long size = Files.size(zip);
            if (size > limits.maxArchiveBytes()) {
                throw new ZipLimitExceeded(ZipLimitExceeded.Limit.ARCHIVE_BYTES, limits.maxArchiveBytes(), null);
            }
            if (size == 0) {
                throw new CorruptZip(null, "the upload is empty", null);
            }
            return importSpooled(zip, claimed, limits, Inspection.NONE);
        } catch (IOException e) {
            throw new UncheckedIOException("model store " + root + ": " + e.getMessage(), e);
        }
    }

    private Imported importSpooled(Path spool, ModelDigest claimed, Limits limits, Inspection inspection)
            throws IOException {
        Path staging = null;
        try {
            List<Planned> plan = plan(ZipDirectory.read(spool), limits);
            staging = Files.createTempDirectory(root, ".staging-");
            extract(spool, plan, staging, limits);
            ArtifactManifest manifest = ArtifactManifest.scan(staging);
            if (!manifest.digest().equals(claimed)) {
                throw new ClaimedDigestMismatch(claimed, manifest.digest());
            }
            inspection.inspect(staging);
            Path target = path(claimed);
            if (contains(claimed)) {
                return new Imported(claimed, target, manifest, false);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
                return new Imported(claimed, target, manifest, true);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                return new Imported(claimed, target, manifest, false);
            } catch (FileSystemException e) {
                if (contains(claimed)) {
                    return new Imported(claimed, target, manifest, false);
                }
                throw e;
            }
        } finally {
            deleteQuietly(staging);
        }
    }

    private static void spoolBounded(InputStream in, Path spool, long max) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(spool, StandardOpenOption.WRITE)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                n += r;
                if (n > max) {
                    throw new ZipLimitExceeded(ZipLimitExceeded.Limit.ARCHIVE_BYTES, max, null);
                }
                out.write(buf, 0, r);
            }
        }
        if (n == 0) {
            throw new CorruptZip(null, "the upload is empty", null);
        }
    }

    /** One entry to extract: its name in the zip, its relative path, and whether it is a directory. */
    private record Planned(String name, String path, boolean directory) {}

    private static List<Planned> plan(List<ZipDirectory.Entry> entries, Limits limits) {
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        List<Planned> plan = new ArrayList<>();
        long declared = 0;
        for (ZipDirectory.Entry e : entries) {
            String name = e.name();
            checkName(name);
            boolean directory = name.endsWith("/");
            int type = e.unixType();
            if (type == ZipDirectory.S_IFLNK) {
                throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.SYMBOLIC_LINK);
            }
            if (type != 0 && type != ZipDirectory.S_IFREG && type != ZipDirectory.S_IFDIR
                    || type == ZipDirectory.S_IFDIR && !directory) {
                throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.SPECIAL_FILE);
            }
            String path = directory ? name.substring(0, name.length() - 1) : name;
            if (!names.add(path)) {
                throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.DUPLICATE);
            }
            if (!directory) {
                files.add(path);
                if (files.size() > limits.maxFiles()) {
                    throw new ZipLimitExceeded(ZipLimitExceeded.Limit.FILES, limits.maxFiles(), name);
                }
                if (e.size() > limits.maxTotalBytes() - declared) {
                    throw new ZipLimitExceeded(ZipLimitExceeded.Limit.TOTAL_BYTES, limits.maxTotalBytes(), name);
                }
                declared += e.size();
            }
            plan.add(new Planned(name, path, directory));
        }
        for (Planned p : plan) {
            for (int i = p.path().indexOf('/'); i >= 0; i = p.path().indexOf('/', i + 1)) {
                if (files.contains(p.path().substring(0, i))) {
                    throw new UnsafeZipEntry(p.path().substring(0, i), UnsafeZipEntry.Reason.DUPLICATE);
                }
            }
        }
        if (files.isEmpty()) {
            throw new CorruptZip(null, "the archive holds no files", null);
        }
        return plan;
    }

    private static void checkName(String name) {
        if (name.startsWith("/") || name.startsWith("\\") || DRIVE_LETTER.matcher(name).matches()) {
            throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.ABSOLUTE_PATH);
        }
        String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        String[] segments = path.split("[/\\\\]", -1);
        for (String seg : segments) {
            if (seg.equals("..")) {
                throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.PATH_TRAVERSAL);
            }
        }
        for (String seg : segments) {
            if (seg.isEmpty() || seg.equals(".")) {
                throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.BAD_NAME);
            }
        }
        if (name.indexOf('\\') >= 0 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new UnsafeZipEntry(name, UnsafeZipEntry.Reason.BAD_NAME);
        }
    }

    private static void extract(Path spool, List<Planned> plan, Path staging, Limits limits) throws IOException {
        ZipFile zip;
        try {
            zip = new ZipFile(spool.toFile(), StandardCharsets.UTF_8);
        } catch (ZipException e) {
            throw new CorruptZip(null, String.valueOf(e.getMessage()), e);
        }
        try (zip) {
            if (zip.size() != plan.size()) {
                throw new CorruptZip(null, "the central directory lists " + plan.size() + " entries, the zip reader "
                        + zip.size(), null);
            }
            long[] total = {0};
            byte[] buf = new byte[1 << 16];
            for (Planned p : plan) {
                Path out = staging.resolve(p.path()).normalize();
                if (!out.startsWith(staging) || out.equals(staging)) {
                    throw new UnsafeZipEntry(p.name(), UnsafeZipEntry.Reason.PATH_TRAVERSAL);
                }
                if (p.directory()) {
                    Files.createDirectories(out);
                    continue;
                }
                ZipEntry entry = zip.getEntry(p.name());
                if (entry == null || !entry.getName().equals(p.name())) {
                    throw new CorruptZip(p.name(), "listed in the central directory but not readable", null);
                }
                Files.createDirectories(out.getParent());
                extractFile(zip, entry, out, buf, total, limits.maxTotalBytes());
            }
        }
    }

    private static void extractFile(ZipFile zip, ZipEntry entry, Path out, byte[] buf, long[] total, long max)
            throws IOException {
        String name = entry.getName();
        CRC32 crc = new CRC32();
        long size = 0;
        try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            InputStream in;
            try {
                in = zip.getInputStream(entry);
            } catch (IOException e) {
                throw new CorruptZip(name, String.valueOf(e.getMessage()), e);
            }
            try (in) {
                while (true) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (IOException e) {
                        throw new CorruptZip(name, "cannot inflate: " + e.getMessage(), e);
                    }
                    if (n < 0) {
                        break;
                    }
                    size += n;
                    total[0] += n;
                    if (total[0] > max) {
                        throw new ZipLimitExceeded(ZipLimitExceeded.Limit.TOTAL_BYTES, max, name);
                    }
                    crc.update(buf, 0, n);
                    os.write(buf, 0, n);
                }
            }
        }
        if (entry.getCrc() != -1 && crc.getValue() != entry.getCrc()) {
            throw new CorruptZip(name, "CRC mismatch (damaged data)", null);
        }
        if (entry.getSize() != -1 && size != entry.getSize()) {
            throw new CorruptZip(name, "declared " + entry.getSize() + " bytes, holds " + size, null);
        }
    }

    /**
     * Writes {@code dir} as a deterministic zip: regular files only (links and special files are
     * refused, as by {@link ArtifactManifest#scan}), entries in canonical path order, deflated,
     * every timestamp {@link #ZIP_ENTRY_TIME}. The same directory content always gives the same
     * bytes. {@code out} is not closed. Returns the manifest of what was written, whose digest is the
     * one to claim on upload.
     *
     * @throws IOException if a file changes while it is being zipped
     */
    public static ArtifactManifest zip(Path dir, OutputStream out) throws IOException {
        ArtifactManifest manifest = ArtifactManifest.scan(dir);
        OutputStream keepOpen = new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        byte[] buf = new byte[1 << 16];
        try (ZipOutputStream zos = new ZipOutputStream(keepOpen, StandardCharsets.UTF_8)) {
            zos.setMethod(ZipOutputStream.DEFLATED);
            for (ArtifactManifest.Entry e : manifest.entries()) {
                ZipEntry entry = new ZipEntry(e.path());
                entry.setTimeLocal(ZIP_ENTRY_TIME);
                zos.putNextEntry(entry);
                MessageDigest sha = ContentDigest.newSha256();
                long size = 0;
                try (InputStream in = Files.newInputStream(dir.resolve(e.path()), LinkOption.NOFOLLOW_LINKS)) {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        zos.write(buf, 0, n);
                        sha.update(buf, 0, n);
                        size += n;
                    }
                }
                if (size != e.size() || !new ContentDigest(sha.digest()).equals(e.sha256())) {
                    throw new IOException("file changed while zipping: " + e.path());
                }
                zos.closeEntry();
            }
        }
        return manifest;
    }

    static void deleteQuietly(Path p) {
        if (p == null || !Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(q);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // best effort: a leftover temporary starts with '.' and is never mistaken for a model
        }
    }
}
