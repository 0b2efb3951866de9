package io.verdict.inference.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentDigestTest {

    @Test
    void sha256OfKnownInputsPrintsCanonically() {
        assertThat(ContentDigest.of(new byte[0]).toString())
                .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(ContentDigest.of("abc".getBytes(StandardCharsets.US_ASCII)).toString())
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void parseRoundTripsAndExposesRawBytes() {
        ContentDigest d = ContentDigest.of(new byte[] {1, 2, 3});
        ContentDigest parsed = ContentDigest.parse(d.toString());
        assertThat(parsed).isEqualTo(d).hasSameHashCodeAs(d);
        assertThat(parsed.bytes()).hasSize(32).isEqualTo(d.bytes());
        byte[] copy = parsed.bytes();
        copy[0] ^= 1;
        assertThat(parsed.bytes()).isEqualTo(d.bytes());
    }

    @Test
    void parseRejectsNonCanonicalText() {
        String hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        for (String bad : new String[] {hex, "sha256:" + hex.toUpperCase(), "SHA256:" + hex, "sha256:" + hex + "0",
                "sha256:" + hex.substring(1), "sha256: " + hex.substring(1), "sha512:" + hex, "", "sha256:"}) {
            assertThatThrownBy(() -> ContentDigest.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> new ContentDigest(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }
}
