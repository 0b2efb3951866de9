package io.verdict.sharding.job;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the InferenceJob entity, read from {@code verdict.jobs} (defaults in this module's
 * {@code reference.conf}, each overridable by an environment variable).
 *
 * @param validatorTimeout how long a committee member may take before it is replaced
 * @param maxJobTimeout the longest deadline a job may have (caps the client's timeout; also the
 *     deadline of a job that asks for none)
 * @param maxEscalations how many times a job without a reachable quorum may add validators
 * @param snapshotEvery snapshot after this many events (two snapshots are kept)
 */
public record JobSettings(Duration validatorTimeout, Duration maxJobTimeout, int maxEscalations,
                          int snapshotEvery) {
  public static final JobSettings DEFAULTS =
      new JobSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), 2, 50);

  public JobSettings {
    if (validatorTimeout == null || validatorTimeout.isNegative() || validatorTimeout.isZero()) {
      throw new IllegalArgumentException("verdict.jobs.validator-timeout must be positive");
    }
    if (maxJobTimeout == null || maxJobTimeout.isNegative() || maxJobTimeout.isZero()) {
      throw new IllegalArgumentException("verdict.jobs.max-job-timeout must be positive");
    }
    if (maxEscalations < 0) {
      throw new IllegalArgumentException("verdict.jobs.max-escalations must not be negative");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("verdict.jobs.snapshot-every must be at least 1");
    }
  }

  /** Reads {@code verdict.jobs} from the application config. */
  public static JobSettings fromConfig(Config config) {
    Config c = config.getConfig("verdict.jobs");
    return new JobSettings(c.getDuration("validator-timeout"), c.getDuration("max-job-timeout"),
        c.getInt("max-escalations"), c.getInt("snapshot-every"));
  }

  /** The deadline of a job asking for {@code requestedMillis} (0 = none). */
  public Duration jobTimeout(long requestedMillis) {
    if (requestedMillis <= 0) {
      return maxJobTimeout;
    }
    Duration requested = Duration.ofMillis(requestedMillis);
    return requested.compareTo(maxJobTimeout) < 0 ? requested : maxJobTimeout;
  }

  public JobSettings withValidatorTimeout(Duration d) {
    return new JobSettings(d, maxJobTimeout, maxEscalations, snapshotEvery);
  }

  public JobSettings withMaxJobTimeout(Duration d) {
    return new JobSettings(validatorTimeout, d, maxEscalations, snapshotEvery);
  }

  public JobSettings withMaxEscalations(int n) {
    return new JobSettings(validatorTimeout, maxJobTimeout, n, snapshotEvery);
  }

  public JobSettings withSnapshotEvery(int n) {
    return new JobSettings(validatorTimeout, maxJobTimeout, maxEscalations, n);
  }
}
