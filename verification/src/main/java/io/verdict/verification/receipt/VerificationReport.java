package io.verdict.verification.receipt;

import java.util.List;

/**
 * The result of verifying a receipt: every failure found (empty when valid) and notes on what
 * could not be checked offline (for example that an anchor's on-chain root was not fetched).
 */
public record VerificationReport(List<Failure> failures, List<String> notes) {
  public VerificationReport {
    failures = List.copyOf(failures);
    notes = List.copyOf(notes);
  }

  /** True when no failure was found. */
  public boolean valid() {
    return failures.isEmpty();
  }

  public List<FailureCode> codes() {
    return failures.stream().map(Failure::code).toList();
  }

  @Override
  public String toString() {
    if (valid()) {
      return "VALID" + (notes.isEmpty() ? "" : " " + notes);
    }
    StringBuilder out = new StringBuilder("INVALID (" + failures.size() + " failures)");
    failures.forEach(f -> out.append("\n  ").append(f));
    return out.toString();
  }
}
