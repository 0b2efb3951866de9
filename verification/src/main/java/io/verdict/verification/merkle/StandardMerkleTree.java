package io.verdict.verification.merkle;

import io.verdict.verification.Bytes32;
import io.verdict.verification.Keccak;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Merkle tree in OpenZeppelin's "standard Merkle tree" convention ({@code StandardMerkleTree} of
 * {@code @openzeppelin/merkle-tree}, verified on chain by {@code MerkleProof.verify}), for leaf
 * values of ABI type {@code ["bytes32"]}.
 *
 * <ul>
 *   <li>leaf hash = {@code keccak256(keccak256(abi.encode(value)))}; for one {@code bytes32} the
 *       ABI encoding is the 32 bytes themselves;
 *   <li>leaf hashes are sorted ascending (stable for equal hashes), then laid out in an array of
 *       2n − 1 nodes: sorted leaf i at index {@code 2n − 2 − i}, node i's children at 2i + 1 and
 *       2i + 2, the root at 0;
 *   <li>internal node = {@code keccak256} of its two children, smaller one first;
 *   <li>a proof lists the sibling hashes from the leaf up to (not including) the root.
 * </ul>
 *
 * <p>So roots and proofs are byte-for-byte those of {@code StandardMerkleTree.of(values,
 * ["bytes32"])}. In Verdict each value is the EIP-712 digest of an agreed attestation.
 */
public final class StandardMerkleTree {
  private final List<Bytes32> tree;
  private final List<Bytes32> values;
  private final int[] treeIndexOfValue;
  private final Map<Bytes32, Integer> valueIndexOfLeaf;

  private StandardMerkleTree(List<Bytes32> tree, List<Bytes32> values, int[] treeIndexOfValue) {
    this.tree = tree;
    this.values = values;
    this.treeIndexOfValue = treeIndexOfValue;
    Map<Bytes32, Integer> lookup = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      lookup.put(tree.get(treeIndexOfValue[i]), i); // like OZ, the last of equal values wins
    }
    this.valueIndexOfLeaf = lookup;
  }

  /**
   * Builds the tree of {@code values} (in the order given; value indices refer to it).
   *
   * @throws IllegalArgumentException if there are no values
   */
  public static StandardMerkleTree of(List<Bytes32> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("a Merkle tree needs at least one leaf");
    }
    int n = values.size();
    List<Integer> order = new ArrayList<>(n);
    Bytes32[] leaves = new Bytes32[n];
    for (int i = 0; i < n; i++) {
      leaves[i] = leafHash(values.get(i));
      order.add(i);
    }
    order.sort(Comparator.comparing(i -> leaves[i])); // List.sort is stable
    Bytes32[] nodes = new Bytes32[2 * n - 1];
    int[] treeIndex = new int[n];
    for (int sorted = 0; sorted < n; sorted++) {
      int at = nodes.length - 1 - sorted;
      nodes[at] = leaves[order.get(sorted)];
      treeIndex[order.get(sorted)] = at;
    }
    for (int i = nodes.length - 1 - n; i >= 0; i--) {
      nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);
    }
    return new StandardMerkleTree(List.of(nodes), List.copyOf(values), treeIndex);
  }

  /** {@code keccak256(keccak256(abi.encode(bytes32 value)))}. */
  public static Bytes32 leafHash(Bytes32 value) {
    return Keccak.hash32(Keccak.hash(value.bytes()));
  }

  /** {@code keccak256(min(a, b) ‖ max(a, b))}. */
  public static Bytes32 hashPair(Bytes32 a, Bytes32 b) {
    return a.compareTo(b) <= 0 ? Keccak.hash32(a.bytes(), b.bytes())
        : Keccak.hash32(b.bytes(), a.bytes());
  }

  /** Folds {@code proof} into {@code leaf} as {@code MerkleProof.processProof} does. */
  public static Bytes32 processProof(Bytes32 leaf, List<Bytes32> proof) {
    Bytes32 node = leaf;
    for (Bytes32 sibling : proof) {
      node = hashPair(node, sibling);
    }
    return node;
  }

  /**
   * True when {@code proof} links the leaf hash {@code leaf} to {@code root} (the on-chain
   * {@code MerkleProof.verify(proof, root, leaf)}).
   */
  public static boolean verify(Bytes32 root, Bytes32 leaf, List<Bytes32> proof) {
    return processProof(leaf, proof).equals(root);
  }

  /** As {@link #verify}, from the value rather than its leaf hash. */
  public static boolean verifyValue(Bytes32 root, Bytes32 value, List<Bytes32> proof) {
    return verify(root, leafHash(value), proof);
  }

  public Bytes32 root() {
    return tree.get(0);
  }

  public int size() {
    return values.size();
  }

  public Bytes32 value(int valueIndex) {
    return values.get(valueIndex);
  }

  /** The leaf hash of the value at {@code valueIndex}. */
  public Bytes32 leaf(int valueIndex) {
    return tree.get(treeIndexOfValue[valueIndex]);
  }

  /** The position of the value's leaf in the node array (OZ's {@code treeIndex}). */
  public int treeIndex(int valueIndex) {
    return treeIndexOfValue[valueIndex];
  }

  /** Every node, root first, as OZ's {@code tree} array. */
  public List<Bytes32> nodes() {
    return tree;
  }

  /** The inclusion proof of the value at {@code valueIndex}. */
  public List<Bytes32> proof(int valueIndex) {
    int index = treeIndexOfValue[valueIndex];
    List<Bytes32> proof = new ArrayList<>();
    while (index > 0) {
      int sibling = index % 2 == 1 ? index + 1 : index - 1;
      proof.add(tree.get(sibling));
      index = (index - 1) / 2;
    }
    return List.copyOf(proof);
  }

  /**
   * The inclusion proof of {@code value}.
   *
   * @throws IllegalArgumentException if the value is not in the tree
   */
  public List<Bytes32> proof(Bytes32 value) {
    Integer index = valueIndexOfLeaf.get(leafHash(value));
    if (index == null) {
      throw new IllegalArgumentException("value is not in the tree: " + value);
    }
    return proof(index);
  }
}
