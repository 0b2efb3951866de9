package io.verdict.inference.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Test vector M1: keep in sync with docs/FORMATS.md, section "Test vectors". */
public class ArtifactManifestTest {

    public static final String M1_HEX = "56444d01" + "03000000"
            + "05000000" + "612e747874" + "0800000000000000"
            + "6fffb0773693441307a3648655e03b104be14c5777ee14d410f39780e6d7ece5"
            + "07000000" + "7375622e747874" + "0000000000000000"
            + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            + "09000000" + "7375622f772e62696e" + "0400000000000000"
            + "054edec1d0211f624fed0cbca9d4f9400b0e491c43742af2c5b0abebf0c990d8";
    public static final String M1_DIGEST = "sha256:f89d811ceed48b8e1f6a5bbc09a595bf470ec6cdd08b91fef08edbd9e5bd50c5";

    static void writeVectorArtifact(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.createDirectories(dir.resolve("empty-dir-is-ignored"));
        Files.writeString(dir.resolve("a.txt"), "verdict\n");
        Files.write(dir.resolve("sub.txt"), new byte[0]);
        Files.write(dir.resolve("sub/w.bin"), new byte[] {0, 1, 2, 3});
    }

    @Test
    void modelDigestVector(@TempDir Path dir) throws IOException {
        writeVectorArtifact(dir);
        ArtifactManifest m = ArtifactManifest.scan(dir);
        assertThat(m.entries()).extracting(ArtifactManifest.Entry::path).containsExactly("a.txt", "sub.txt", "sub/w.bin");
        assertThat(HexFormat.of().formatHex(m.canonicalBytes())).isEqualTo(M1_HEX);
        assertThat(m.digest().toString()).isEqualTo(M1_DIGEST);
        assertThat(ModelDigest.parse(M1_DIGEST)).isEqualTo(m.digest());
        assertThat(ArtifactManifest.parse(m.toText())).isEqualTo(m);
    }

    @Test
    void symlinksAreRefused(@TempDir Path dir) throws IOException {
        writeVectorArtifact(dir);
        Files.createSymbolicLink(dir.resolve("sub/link.bin"), dir.resolve("a.txt"));
        assertThatThrownBy(() -> ArtifactManifest.scan(dir))
                .isInstanceOf(InvalidArtifact.class).hasMessageContaining("sub/link.bin").hasMessageContaining("symbolic link")
                .extracting(e -> ((InvalidArtifact) e).file()).isEqualTo("sub/link.bin");
    }

    @Test
    void directorySymlinksAndLinkedRootsAreRefused(@TempDir Path tmp) throws IOException {
        Path dir = tmp.resolve("model");
        writeVectorArtifact(dir);
        Files.createSymbolicLink(dir.resolve("linked"), tmp);
        assertThatThrownBy(() -> ArtifactManifest.scan(dir)).isInstanceOf(InvalidArtifact.class).hasMessageContaining("linked");
        Files.delete(dir.resolve("linked"));
        Path rootLink = Files.createSymbolicLink(tmp.resolve("alias"), dir);
        assertThatThrownBy(() -> ArtifactManifest.scan(rootLink)).isInstanceOf(InvalidArtifact.class);
        assertThatThrownBy(() -> ArtifactManifest.scan(tmp.resolve("absent"))).isInstanceOf(InvalidArtifact.class);
    }

    @Test
    void nonRegularFilesAreRefused(@TempDir Path dir) throws Exception {
        writeVectorArtifact(dir);
        Process p = new ProcessBuilder("mkfifo", dir.resolve("pipe").toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo unavailable");
        assertThatThrownBy(() -> ArtifactManifest.scan(dir))
                .isInstanceOf(InvalidArtifact.class).hasMessageContaining("pipe").hasMessageContaining("regular");
    }

    @Test
    void tamperingNamesTheFile(@TempDir Path dir) throws IOException {
        writeVectorArtifact(dir);
        ArtifactManifest published = ArtifactManifest.scan(dir);

        Files.write(dir.resolve("sub/w.bin"), new byte[] {0, 1, 2, 4});
        assertTampered(published, dir, "sub/w.bin", ArtifactTampered.Change.MODIFIED);
        Files.write(dir.resolve("sub/w.bin"), new byte[] {0, 1, 2, 3});
        published.verifyMatches(ArtifactManifest.scan(dir));

        Files.writeString(dir.resolve("sub/extra.bin"), "x");
        assertTampered(published, dir, "sub/extra.bin", ArtifactTampered.Change.ADDED);
        Files.delete(dir.resolve("sub/extra.bin"));

        Files.delete(dir.resolve("sub.txt"));
        assertTampered(published, dir, "sub.txt", ArtifactTampered.Change.REMOVED);
    }

    private static void assertTampered(ArtifactManifest published, Path dir, String file, ArtifactTampered.Change change) {
        ArtifactManifest now = ArtifactManifest.scan(dir);
        assertThat(now.digest()).isNotEqualTo(published.digest());
        assertThatThrownBy(() -> published.verifyMatches(now))
                .isInstanceOf(ArtifactTampered.class)
                .hasMessageContaining("'" + file + "'")
                .satisfies(e -> {
                    assertThat(((ArtifactTampered) e).file()).isEqualTo(file);
                    assertThat(((ArtifactTampered) e).change()).isEqualTo(change);
                });
    }

    @Test
    void emptyDirectoryHasAWellDefinedDigest(@TempDir Path dir) {
        ArtifactManifest m = ArtifactManifest.scan(dir);
        assertThat(m.entries()).isEmpty();
        assertThat(HexFormat.of().formatHex(m.canonicalBytes())).isEqualTo("56444d0100000000");
    }
}
