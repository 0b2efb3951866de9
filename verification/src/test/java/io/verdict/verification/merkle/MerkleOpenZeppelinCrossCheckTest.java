package io.verdict.verification.merkle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import io.verdict.verification.NodeCrossCheck;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Roots, node arrays, leaf positions and every proof equal those of
 * {@code @openzeppelin/merkle-tree}'s {@code StandardMerkleTree.of(values, ["bytes32"])}, and OZ's
 * {@code verify} accepts every proof built in Java.
 */
class MerkleOpenZeppelinCrossCheckTest {

  @Test
  void rootsAndProofsEqualOpenZeppelins() {
    int[] sizes = {1, 2, 3, 7, 1000};
    List<List<Bytes32>> allValues = new ArrayList<>();
    List<StandardMerkleTree> trees = new ArrayList<>();
    List<Map<String, Object>> input = new ArrayList<>();
    for (int n : sizes) {
      List<Bytes32> values = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        values.add(Keccak.hash32(ByteBuffer.allocate(8).putInt(n).putInt(i).array()));
      }
      if (n == 7) {
        values.set(5, values.get(2)); // a duplicated value: stable sort and lookup must match OZ
      }
      StandardMerkleTree tree = StandardMerkleTree.of(values);
      allValues.add(values);
      trees.add(tree);
      List<List<String>> proofs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        proofs.add(tree.proof(i).stream().map(Bytes32::toHex).toList());
      }
      input.add(Map.of("values", values.stream().map(Bytes32::toHex).toList(),
          "javaRoot", tree.root().toHex(), "javaProofs", proofs));
    }

    JsonNode out = NodeCrossCheck.run("merkle", Map.of("trees", input));

    for (int t = 0; t < sizes.length; t++) {
      JsonNode oz = out.get("trees").get(t);
      StandardMerkleTree tree = trees.get(t);
      assertThat(oz.get("root").asText()).as("root of %d leaves", sizes[t])
          .isEqualTo(tree.root().toHex());
      assertThat(textList(oz.get("nodes"))).as("node array of %d leaves", sizes[t])
          .isEqualTo(tree.nodes().stream().map(Bytes32::toHex).toList());
      for (int i = 0; i < sizes[t]; i++) {
        assertThat(oz.get("treeIndices").get(i).asInt()).isEqualTo(tree.treeIndex(i));
        assertThat(textList(oz.get("proofs").get(i))).as("proof %d of %d", i, sizes[t])
            .isEqualTo(tree.proof(i).stream().map(Bytes32::toHex).toList());
        assertThat(oz.get("javaProofsValid").get(i).asBoolean()).isTrue();
      }
    }
    assertThat(allValues.get(3).get(5)).isEqualTo(allValues.get(3).get(2));
  }

  private static List<String> textList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
