package io.verdict.verification.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StandardMerkleTreeTest {

  static List<Bytes32> values(int n) {
    List<Bytes32> values = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      values.add(Keccak.hash32(new byte[] {(byte) i, (byte) (i >> 8)}));
    }
    return values;
  }

  @Test
  void leafIsDoubleKeccakOfTheAbiEncodedValue() {
    Bytes32 v = values(1).get(0);
    assertThat(StandardMerkleTree.leafHash(v)).isEqualTo(Keccak.hash32(Keccak.hash(v.bytes())));
  }

  @Test
  void singleLeafTreeHasTheLeafAsRootAndAnEmptyProof() {
    StandardMerkleTree tree = StandardMerkleTree.of(values(1));
    assertThat(tree.root()).isEqualTo(StandardMerkleTree.leafHash(values(1).get(0)));
    assertThat(tree.proof(0)).isEmpty();
    assertThat(StandardMerkleTree.verify(tree.root(), tree.leaf(0), List.of())).isTrue();
  }

  @Test
  void twoLeavesHashAsASortedPair() {
    List<Bytes32> v = values(2);
    Bytes32 a = StandardMerkleTree.leafHash(v.get(0));
    Bytes32 b = StandardMerkleTree.leafHash(v.get(1));
    Bytes32 lo = a.compareTo(b) < 0 ? a : b;
    Bytes32 hi = a.compareTo(b) < 0 ? b : a;
    StandardMerkleTree tree = StandardMerkleTree.of(v);
    assertThat(tree.root()).isEqualTo(Keccak.hash32(lo.bytes(), hi.bytes()));
    assertThat(StandardMerkleTree.of(List.of(v.get(1), v.get(0))).root()).isEqualTo(tree.root());
  }

  @Test
  void everyProofVerifiesAndProofByValueMatchesProofByIndex() {
    for (int n : new int[] {1, 2, 3, 4, 5, 7, 8, 33}) {
      List<Bytes32> v = values(n);
      StandardMerkleTree tree = StandardMerkleTree.of(v);
      assertThat(tree.nodes()).hasSize(2 * n - 1);
      for (int i = 0; i < n; i++) {
        List<Bytes32> proof = tree.proof(i);
        assertThat(StandardMerkleTree.verify(tree.root(), tree.leaf(i), proof)).isTrue();
        assertThat(StandardMerkleTree.verifyValue(tree.root(), v.get(i), proof)).isTrue();
        assertThat(tree.proof(v.get(i))).isEqualTo(proof);
      }
    }
  }

  @Test
  void tamperedProofOrLeafOrRootFails() {
    List<Bytes32> v = values(7);
    StandardMerkleTree tree = StandardMerkleTree.of(v);
    List<Bytes32> proof = new ArrayList<>(tree.proof(3));
    assertThat(StandardMerkleTree.verify(tree.root(), tree.leaf(4), proof)).isFalse();
    assertThat(StandardMerkleTree.verify(tree.leaf(3), tree.leaf(3), proof)).isFalse();
    proof.set(1, Bytes32.ZERO);
    assertThat(StandardMerkleTree.verify(tree.root(), tree.leaf(3), proof)).isFalse();
    assertThat(StandardMerkleTree.verify(tree.root(), tree.leaf(3), proof.subList(0, 2)))
        .isFalse();
  }

  @Test
  void emptyTreeAndUnknownValueAreErrors() {
    assertThatThrownBy(() -> StandardMerkleTree.of(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StandardMerkleTree.of(values(3)).proof(Bytes32.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
