package io.verdict.inference.model;

import io.verdict.inference.digest.ContentDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every regular file of a model artifact directory, in canonical order, with its size and SHA-256.
 * The {@link ModelDigest} is SHA-256 of {@link #canonicalBytes()} (docs/FORMATS.md, "model digest").
 *
 * <p>Keep the manifest recorded when a model was published: {@link #verifyMatches(ArtifactManifest)}
 * then names the file that was modified, added or removed. {@link #toText()} / {@link #parse(String)}
 * give a line-per-file text form ({@code <hex> <size> <path>}) to store beside the artifact.
 */
public final class ArtifactManifest {

    /** Prefix of the canonical manifest encoding: ASCII "VDM", format version 1. */
    public static final byte[] MAGIC = {'V', 'D', 'M', 0x01};

    /** Orders paths by the unsigned bytes of their UTF-8 encoding. */
    public static final Comparator<String> PATH_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** One file: path relative to the artifact root with '/' separators, size in bytes, content hash. */
    public record Entry(String path, long size, ContentDigest sha256) {
        public Entry {
            checkPath(path);
            if (size < 0 || sha256 == null) {
                throw new IllegalArgumentException("bad manifest entry for " + path);
            }
        }
    }

    private final List<Entry> entries;

    public ArtifactManifest(List<Entry> entries) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::path, PATH_ORDER));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
                throw new IllegalArgumentException("duplicate manifest path " + sorted.get(i).path());
            }
        }
        this.entries = List.copyOf(sorted);
    }

    /**
     * Reads every regular file under {@code dir}. Symbolic links (to files or directories) and
     * non-regular files are refused with {@link InvalidArtifact}; empty directories contribute nothing.
     */
    public static ArtifactManifest scan(Path dir) {
        Path root = dir.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(root)) {
            throw new InvalidArtifact("", root + " is a symbolic link, not a directory", null);
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidArtifact("", root + " is not a directory", null);
        }
        List<Entry> entries = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (attrs.isSymbolicLink()) {
                        throw new InvalidArtifact(relative(root, d), "symbolic links are not allowed", null);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    String rel = relative(root, f);
                    if (attrs.isSymbolicLink()) {
                        throw new InvalidArtifact(rel, "symbolic links are not allowed", null);
                    }
                    if (!attrs.isRegularFile()) {
                        throw new InvalidArtifact(rel, "only regular files are allowed", null);
                    }
                    entries.add(hashFile(f, rel));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    throw new InvalidArtifact(relative(root, f), "cannot read: " + e, e);
                }
            });
        } catch (NoSuchFileException e) {
            throw new InvalidArtifact("", "file vanished while scanning: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new InvalidArtifact("", "cannot read artifact: " + e, e);
        }
        return new ArtifactManifest(entries);
    }

    private static Entry hashFile(Path f, String rel) throws IOException {
        MessageDigest sha = ContentDigest.newSha256();
        long size = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(f, LinkOption.NOFOLLOW_LINKS)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
                size += n;
            }
        }
        return new Entry(rel, size, new ContentDigest(sha.digest()));
    }

    private static String relative(Path root, Path p) {
        Path rel = root.relativize(p);
        List<String> parts = new ArrayList<>();
        for (Path part : rel) {
            parts.add(part.toString());
        }
        return String.join("/", parts);
    }

    private static void checkPath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("\\")
                || path.indexOf('\n') >= 0 || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad artifact path: " + path);
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
                throw new IllegalArgumentException("bad artifact path: " + path);
            }
        }
    }

    public List<Entry> entries() {
        return entries;
    }

    /** The canonical encoding hashed into the model digest. */
    public byte[] canonicalBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        out.write(b.putInt(0, entries.size()).array(), 0, 4);
        for (Entry e : entries) {
            byte[] path = e.path().getBytes(StandardCharsets.UTF_8);
            out.write(b.putInt(0, path.length).array(), 0, 4);
            out.writeBytes(path);
            out.write(b.putLong(0, e.size()).array(), 0, 8);
            out.writeBytes(e.sha256().bytes());
        }
        return out.toByteArray();
    }

    public ModelDigest digest() {
        return new ModelDigest(ContentDigest.of(canonicalBytes()));
    }

    /**
     * Checks that {@code actual} (a fresh {@link #scan}) equals this published manifest; otherwise
     * throws {@link ArtifactTampered} naming the first differing file in canonical order.
     */
    public void verifyMatches(ArtifactManifest actual) {
        Map<String, Entry> expected = index(this);
        Map<String, Entry> found = index(actual);
        TreeMap<String, ArtifactTampered> problems = new TreeMap<>(PATH_ORDER);
        for (Entry e : entries) {
            Entry a = found.get(e.path());
            if (a == null) {
                problems.put(e.path(), new ArtifactTampered(e.path(), ArtifactTampered.Change.REMOVED,
                        "listed in the manifest, missing on disk"));
            } else if (!a.equals(e)) {
                problems.put(e.path(), new ArtifactTampered(e.path(), ArtifactTampered.Change.MODIFIED,
                        "expected " + e.size() + " bytes " + e.sha256() + ", found " + a.size() + " bytes " + a.sha256()));
            }
        }
        for (Entry a : actual.entries) {
            if (!expected.containsKey(a.path())) {
                problems.put(a.path(), new ArtifactTampered(a.path(), ArtifactTampered.Change.ADDED,
                        "on disk, not in the manifest"));
            }
        }
        if (!problems.isEmpty()) {
            throw problems.firstEntry().getValue();
        }
    }

    private static Map<String, Entry> index(ArtifactManifest m) {
        return m.entries.stream().collect(Collectors.toMap(Entry::path, Function.identity()));
    }

    /** One line per file, canonical order: {@code <64 hex> <size> <path>\n}. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Entry e : entries) {
            sb.append(e.sha256().hex()).append(' ').append(e.size()).append(' ').append(e.path()).append('\n');
        }
        return sb.toString();
    }

    /** Parses {@link #toText()}. */
    public static ArtifactManifest parse(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split(" ", 3);
            if (parts.length != 3) {
                throw new IllegalArgumentException("bad manifest line: " + line);
            }
            entries.add(new Entry(parts[2], Long.parseLong(parts[1]), ContentDigest.parse(ContentDigest.PREFIX + parts[0])));
        }
        return new ArtifactManifest(entries);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArtifactManifest other && entries.equals(other.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "ArtifactManifest[" + entries.size() + " files, " + digest() + "]";
    }
}
