package io.verdict.verification.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Hex;
import io.verdict.verification.Keccak;
import io.verdict.verification.keys.ValidatorAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorSetTest {
  static final ValidatorAddress A = ValidatorAddress.parse(
      "0x0000000000000000000000000000000000000001");
  static final ValidatorAddress B = ValidatorAddress.parse(
      "0x7fffffffffffffffffffffffffffffffffffffff");
  static final ValidatorAddress C = ValidatorAddress.parse(
      "0x8000000000000000000000000000000000000000");

  @Test
  void membersAreSortedCanonically() {
    List<ValidatorAddress> shuffled = new ArrayList<>(List.of(C, A, B));
    Collections.shuffle(shuffled);
    ValidatorSet set = ValidatorSet.of(1, shuffled, 2);
    assertThat(set.members()).containsExactly(A, B, C);
    assertThat(set.contains(B)).isTrue();
    assertThat(ValidatorSet.of(1, List.of(B, C, A), 2)).isEqualTo(set);
    assertThat(ValidatorSet.of(1, List.of(B, C, A), 2).digest()).isEqualTo(set.digest());
  }

  @Test
  void rejectsDuplicatesEmptyAndBadThresholds() {
    assertThatThrownBy(() -> ValidatorSet.of(1, List.of(A, A), 1))
        .isInstanceOf(InvalidValidatorSetException.class).hasMessageContaining("duplicate");
    assertThatThrownBy(() -> ValidatorSet.of(1, List.of(), 1))
        .isInstanceOf(InvalidValidatorSetException.class);
    assertThatThrownBy(() -> ValidatorSet.of(1, List.of(A, B), 0))
        .isInstanceOf(InvalidValidatorSetException.class);
    assertThatThrownBy(() -> ValidatorSet.of(1, List.of(A, B), 3))
        .isInstanceOf(InvalidValidatorSetException.class);
  }

  @Test
  void digestIsKeccakOfTheAbiEncoding() {
    ValidatorSet set = ValidatorSet.of(5, List.of(A, C), 2);
    String expectedEncoding = word("5") + word("2") + word("60") + word("2")
        + "0".repeat(24) + "0000000000000000000000000000000000000001"
        + "0".repeat(24) + "8000000000000000000000000000000000000000";
    assertThat(Hex.encode(set.abiEncode())).isEqualTo(expectedEncoding);
    assertThat(set.digest()).isEqualTo(Bytes32.wrap(Keccak.hash(Hex.decode(expectedEncoding))));
    assertThat(ValidatorSet.of(6, List.of(A, C), 2).digest()).isNotEqualTo(set.digest());
    assertThat(ValidatorSet.of(5, List.of(A, C), 1).digest()).isNotEqualTo(set.digest());
    assertThat(ValidatorSet.of(5, List.of(A, B), 2).digest()).isNotEqualTo(set.digest());
  }

  private static String word(String hex) {
    return "0".repeat(64 - hex.length()) + hex;
  }
}
