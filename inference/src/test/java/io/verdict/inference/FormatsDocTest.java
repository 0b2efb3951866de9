package io.verdict.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.agreement.CanonicalOutputTest;
import io.verdict.inference.model.ArtifactManifestTest;
import io.verdict.inference.tensor.CanonicalEncodingTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/FORMATS.md carries the same test vectors that the unit tests compute: this test fails when
 * the document and the tests drift apart.
 */
class FormatsDocTest {

    @Test
    void everyTestVectorAppearsInTheDocument() throws IOException {
        Path doc = Path.of("..", "docs", "FORMATS.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        String compact = text.replaceAll("\\s+", "");
        List<String> digests = List.of(CanonicalEncodingTest.T1_DIGEST, CanonicalEncodingTest.N1_DIGEST,
                CanonicalEncodingTest.N0_DIGEST, ArtifactManifestTest.M1_DIGEST, CanonicalOutputTest.P1_DIGEST,
                CanonicalOutputTest.P2_DIGEST, CanonicalOutputTest.P3_DIGEST, CanonicalOutputTest.P4_DIGEST);
        for (String d : digests) {
            assertThat(text).as("FORMATS.md mentions %s", d).contains(d);
        }
        List<String> hex = List.of(CanonicalEncodingTest.T1_HEX, CanonicalEncodingTest.N1_HEX,
                CanonicalEncodingTest.N0_HEX, ArtifactManifestTest.M1_HEX, CanonicalOutputTest.P1_HEX);
        for (String h : hex) {
            assertThat(compact).as("FORMATS.md holds the bytes %s", h).contains(h);
        }
    }
}
