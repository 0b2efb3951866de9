package io.verdict.sharding.model;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the Model entity, read from {@code verdict.models} (defaults in this module's
 * {@code reference.conf}).
 *
 * @param snapshotEvery snapshot after this many events (two snapshots are kept)
 * @param restartBackoffMin first restart delay after a journal failure
 * @param restartBackoffMax longest restart delay
 */
public record ModelSettings(int snapshotEvery, Duration restartBackoffMin, Duration restartBackoffMax) {

    public static final ModelSettings DEFAULTS = new ModelSettings(20, Duration.ofMillis(200), Duration.ofSeconds(10));

    public ModelSettings {
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("verdict.models.snapshot-every must be at least 1");
        }
        if (restartBackoffMin == null || restartBackoffMin.isNegative() || restartBackoffMin.isZero()
                || restartBackoffMax == null || restartBackoffMax.compareTo(restartBackoffMin) < 0) {
            throw new IllegalArgumentException("verdict.models restart backoff: need 0 < min <= max");
        }
    }

    public static ModelSettings fromConfig(Config config) {
        Config c = config.getConfig("verdict.models");
        return new ModelSettings(c.getInt("snapshot-every"), c.getDuration("restart-backoff-min"),
                c.getDuration("restart-backoff-max"));
    }
}
