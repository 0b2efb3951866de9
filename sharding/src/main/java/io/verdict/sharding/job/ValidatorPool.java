package io.verdict.sharding.job;

import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.verification.quorum.ValidatorSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The validators a job may use right now: the epoch's validator set, the EIP-712 domain they sign
 * under, and the live validator actors. Not persisted (it holds actor refs).
 *
 * <p>Only live validators that are members of {@code set} are usable; others are ignored, as is a
 * second handle for the same address. {@link #none} is the pool of a node that does not know any
 * validator set yet: {@code set} is null and no validator is usable.
 */
public record ValidatorPool(ValidatorSet set, AttestationDomain domain,
                            List<ValidatorHandle> validators) {

  /** One live validator: its address, the cluster node it runs on, and its actor. */
  public record ValidatorHandle(ValidatorAddress address, String node,
                                ActorRef<ValidatorProtocol.Execute> ref) {
    public ValidatorHandle {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(node, "node");
      Objects.requireNonNull(ref, "ref");
    }
  }

  public ValidatorPool {
    Objects.requireNonNull(domain, "domain");
    Map<ValidatorAddress, ValidatorHandle> usable = new LinkedHashMap<>();
    for (ValidatorHandle h : validators) {
      if (set != null && set.contains(h.address())) {
        usable.putIfAbsent(h.address(), h);
      }
    }
    validators = List.copyOf(usable.values());
  }

  /** No validator set known yet: nothing is usable. */
  public static ValidatorPool none(AttestationDomain domain) {
    return new ValidatorPool(null, domain, List.of());
  }

  /** The epoch of {@link #set}, 0 when no set is known yet. */
  public long epoch() {
    return set == null ? 0 : set.epoch();
  }

  /** Number of usable live validators. */
  public int size() {
    return validators.size();
  }

  public Optional<ValidatorHandle> handle(ValidatorAddress address) {
    return validators.stream().filter(h -> h.address().equals(address)).findFirst();
  }

  /** Address to node of every usable validator (input of {@link CommitteeSelector}). */
  public Map<ValidatorAddress, String> nodes() {
    Map<ValidatorAddress, String> nodes = new LinkedHashMap<>();
    for (ValidatorHandle h : validators) {
      nodes.put(h.address(), h.node());
    }
    return nodes;
  }

  /** The nodes hosting the given validators (those that are live). */
  public List<String> nodesOf(List<ValidatorAddress> addresses) {
    List<String> out = new ArrayList<>();
    for (ValidatorAddress a : addresses) {
      handle(a).ifPresent(h -> out.add(h.node()));
    }
    return out;
  }
}
