package io.verdict.sharding.job;

import io.verdict.verification.JobId;
import io.verdict.verification.keys.ValidatorAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks committee members for a job. Pure and deterministic: the result depends only on the job
 * id, the candidates (address → node) and the arguments, never on their iteration order.
 *
 * <p>Each candidate has a rank, {@code SHA-256(jobId bytes ‖ address bytes)} compared as an
 * unsigned number, so different jobs spread their load over different validators. Members are
 * picked one at a time: the candidate on the node with the fewest members already (counting
 * {@code nodesInUse}) wins, ties broken by rank. So a committee covers as many distinct nodes as
 * the pool has before any node hosts two members.
 */
public final class CommitteeSelector {
  private CommitteeSelector() {}

  /**
   * Up to {@code count} members from {@code candidates}, excluding {@code exclude}.
   *
   * @param nodesInUse nodes already hosting members of this job (one entry per member)
   * @return fewer than {@code count} members only when the candidates run out
   */
  public static List<ValidatorAddress> select(JobId job, Map<ValidatorAddress, String> candidates,
                                              int count, Set<ValidatorAddress> exclude,
                                              Collection<String> nodesInUse) {
    Map<String, Integer> load = new HashMap<>();
    for (String node : nodesInUse) {
      load.merge(node, 1, Integer::sum);
    }
    List<Ranked> pool = new ArrayList<>();
    candidates.forEach((address, node) -> {
      if (!exclude.contains(address)) {
        pool.add(new Ranked(address, node, rank(job, address)));
      }
    });
    pool.sort(Comparator.naturalOrder());
    List<ValidatorAddress> picked = new ArrayList<>();
    while (picked.size() < count && !pool.isEmpty()) {
      Ranked best = null;
      int bestLoad = Integer.MAX_VALUE;
      for (Ranked c : pool) {
        int l = load.getOrDefault(c.node, 0);
        if (l < bestLoad) {
          best = c;
          bestLoad = l;
        }
      }
      pool.remove(best);
      picked.add(best.address);
      load.merge(best.node, 1, Integer::sum);
    }
    return List.copyOf(picked);
  }

  static byte[] rank(JobId job, ValidatorAddress address) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(job.value().bytes());
      sha.update(address.bytes());
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
    }
  }

  private record Ranked(ValidatorAddress address, String node, byte[] rank)
      implements Comparable<Ranked> {
    @Override
    public int compareTo(Ranked o) {
      int c = Arrays.compareUnsigned(rank, o.rank);
      return c != 0 ? c : address.compareTo(o.address);
    }
  }
}
