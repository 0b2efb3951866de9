package io.verdict.node.anchor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.verdict.node.NodeConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AnchorSettingsTest {

    private static Config config(String hocon) {
        return NodeConfig.load(ConfigFactory.parseString(hocon));
    }

    @Test
    void defaultsAreOffWithBatchesOfAThousandOrFiveSeconds() {
        AnchorSettings s = AnchorSettings.from(config(""));
        assertThat(s.enabled()).isFalse();
        assertThat(s.maxBatch()).isEqualTo(1000);
        assertThat(s.maxDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.confirmations()).isEqualTo(1);
        assertThat(s.registerValidatorSets()).isTrue();
        assertThat(s.crashAt()).isEqualTo(AnchorSettings.CrashPoint.NONE);
        assertThat(s.key().environmentVariable()).isEqualTo("VERDICT_ANCHOR_KEY");
    }

    @Test
    void aSettingThatCannotWorkIsNamed() {
        assertThatThrownBy(() -> AnchorSettings.from(config("verdict.anchor.enabled = true")).validate())
                .hasMessageContaining("verdict.anchor.rpc-url");
        assertThatThrownBy(() -> AnchorSettings.from(config("""
                verdict.anchor.rpc-url = "http://127.0.0.1:8545"
                """)).validate())
                .hasMessageContaining("verdict.chain.anchor-contract").hasMessageContaining("zero address");
        assertThatThrownBy(() -> AnchorSettings.from(config("""
                verdict.anchor.rpc-url = "http://127.0.0.1:8545"
                verdict.chain.anchor-contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
                verdict.anchor.max-batch = 0
                """)).validate()).hasMessageContaining("max-batch");
        assertThat(AnchorSettings.from(config("verdict.anchor.crash-at = after-send")).crashAt())
                .isEqualTo(AnchorSettings.CrashPoint.AFTER_SEND);
    }

    @Test
    void aMissingKeyFailsTheStartNamingWhereTheKeyComesFromWithoutShowingIt() {
        AnchorSettings.KeySource fromEnv = new AnchorSettings.KeySource("", "", "VERDICT_TEST_NO_SUCH_VARIABLE");
        assertThat(fromEnv.toString()).isEqualTo("environment variable VERDICT_TEST_NO_SUCH_VARIABLE");
        assertThatThrownBy(fromEnv::load).hasMessageContaining("VERDICT_TEST_NO_SUCH_VARIABLE");
        AnchorSettings.KeySource fromFile = new AnchorSettings.KeySource("target/no-such-keystore.json", "pw", "X");
        assertThat(fromFile.toString()).isEqualTo("keystore target/no-such-keystore.json");
        assertThatThrownBy(fromFile::load).hasMessageContaining("no-such-keystore.json").hasMessageNotContaining("pw");
    }
}
