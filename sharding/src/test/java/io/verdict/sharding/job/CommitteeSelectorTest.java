package io.verdict.sharding.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.verification.JobId;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.keys.ValidatorKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CommitteeSelectorTest {
  private static final JobId JOB = JobId.parse("0x" + "11".repeat(32));

  /** {@code n} validators, round-robin over {@code nodes} nodes. */
  private static Map<ValidatorAddress, String> pool(int n, int nodes) {
    Map<ValidatorAddress, String> pool = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byte[] secret = new byte[32];
      secret[0] = 0x22;
      secret[31] = (byte) (i + 1);
      pool.put(ValidatorKey.fromPrivateKey(secret).address(), "node-" + (i % nodes));
    }
    return pool;
  }

  private static Map<String, Integer> perNode(List<ValidatorAddress> picked,
                                              Map<ValidatorAddress, String> pool) {
    Map<String, Integer> count = new HashMap<>();
    picked.forEach(a -> count.merge(pool.get(a), 1, Integer::sum));
    return count;
  }

  @Test
  void spreadsOverDistinctNodesFirst() {
    Map<ValidatorAddress, String> pool = pool(9, 3);
    List<ValidatorAddress> three = CommitteeSelector.select(JOB, pool, 3, Set.of(), List.of());
    assertThat(perNode(three, pool)).hasSize(3);
    List<ValidatorAddress> five = CommitteeSelector.select(JOB, pool, 5, Set.of(), List.of());
    assertThat(perNode(five, pool).values()).allSatisfy(c -> assertThat(c).isBetween(1, 2));
    assertThat(five).startsWith(three.toArray(new ValidatorAddress[0]));
  }

  @Test
  void isDeterministicWhateverTheCandidateOrder() {
    Map<ValidatorAddress, String> pool = pool(8, 4);
    List<ValidatorAddress> expected = CommitteeSelector.select(JOB, pool, 4, Set.of(), List.of());
    List<ValidatorAddress> keys = new ArrayList<>(pool.keySet());
    for (int seed = 0; seed < 5; seed++) {
      Collections.shuffle(keys, new java.util.Random(seed));
      Map<ValidatorAddress, String> shuffled = new LinkedHashMap<>();
      keys.forEach(k -> shuffled.put(k, pool.get(k)));
      assertThat(CommitteeSelector.select(JOB, shuffled, 4, Set.of(), List.of()))
          .isEqualTo(expected);
    }
  }

  @Test
  void differentJobsGetDifferentCommittees() {
    Map<ValidatorAddress, String> pool = pool(10, 10);
    Set<List<ValidatorAddress>> committees = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      JobId job = JobId.parse("0x" + String.format("%064x", i + 1));
      committees.add(CommitteeSelector.select(job, pool, 3, Set.of(), List.of()));
    }
    assertThat(committees.size()).isGreaterThan(5);
  }

  @Test
  void excludesTriedValidatorsAndAvoidsNodesInUse() {
    Map<ValidatorAddress, String> pool = pool(6, 3);
    List<ValidatorAddress> committee = CommitteeSelector.select(JOB, pool, 2, Set.of(),
        List.of());
    List<String> used = committee.stream().map(pool::get).toList();
    List<ValidatorAddress> replacement = CommitteeSelector.select(JOB, pool, 1,
        Set.copyOf(committee), used);
    assertThat(replacement).hasSize(1).doesNotContainAnyElementsOf(committee);
    assertThat(pool.get(replacement.get(0))).isNotIn(used);
  }

  @Test
  void returnsFewerWhenCandidatesRunOut() {
    Map<ValidatorAddress, String> pool = pool(3, 3);
    Set<ValidatorAddress> tried = Set.copyOf(new ArrayList<>(pool.keySet()).subList(0, 2));
    assertThat(CommitteeSelector.select(JOB, pool, 3, tried, List.of())).hasSize(1)
        .doesNotContainAnyElementsOf(tried);
    assertThat(CommitteeSelector.select(JOB, pool, 3, Set.copyOf(pool.keySet()), List.of()))
        .isEmpty();
  }
}
