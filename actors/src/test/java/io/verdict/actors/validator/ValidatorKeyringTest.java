package io.verdict.actors.validator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.keys.KeystoreException;
import io.verdict.verification.keys.ValidatorKey;
import io.verdict.verification.keys.ValidatorKeystore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidatorKeyringTest {

    @TempDir
    Path dir;

    @Test
    void createsKeysOnFirstStartAndReusesThemAfterwards() throws Exception {
        List<ValidatorKey> first = ValidatorKeyring.loadOrCreate(dir, 3, "pw", ValidatorKeystore.Strength.LIGHT);
        assertThat(first).hasSize(3);
        assertThat(first.stream().map(ValidatorKey::address).distinct()).hasSize(3);
        assertThat(ValidatorKeyring.countFiles(dir)).isEqualTo(3);

        List<ValidatorKey> again = ValidatorKeyring.loadOrCreate(dir, 3, "pw", ValidatorKeystore.Strength.LIGHT);
        assertThat(again).extracting(ValidatorKey::address)
                .containsExactlyElementsOf(first.stream().map(ValidatorKey::address).toList());

        List<ValidatorKey> grown = ValidatorKeyring.loadOrCreate(dir, 4, "pw", ValidatorKeystore.Strength.LIGHT);
        assertThat(grown.subList(0, 3)).extracting(ValidatorKey::address)
                .containsExactlyElementsOf(first.stream().map(ValidatorKey::address).toList());
        assertThat(ValidatorKeyring.countFiles(dir)).isEqualTo(4);
    }

    @Test
    void wrongPasswordIsAClearErrorWithoutTheKey() throws Exception {
        ValidatorKeyring.loadOrCreate(dir, 1, "right", ValidatorKeystore.Strength.LIGHT);
        assertThatThrownBy(() -> ValidatorKeyring.loadOrCreate(dir, 1, "wrong", ValidatorKeystore.Strength.LIGHT))
                .isInstanceOf(KeystoreException.class)
                .hasMessageContaining("validator-1.json");
    }

    @Test
    void refusesZeroValidators() {
        assertThatThrownBy(() -> ValidatorKeyring.loadOrCreate(dir, 0, "pw", ValidatorKeystore.Strength.LIGHT))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
