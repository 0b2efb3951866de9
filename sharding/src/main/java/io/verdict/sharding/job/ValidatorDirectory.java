package io.verdict.sharding.job;

/**
 * Where a job entity finds the validators it may ask. Implementations (in {@code actors/}) keep an
 * up-to-date view of the validator set of the current epoch and of the live validator actors;
 * {@link #snapshot()} must be cheap and non-blocking, it is called from inside the entity.
 */
@FunctionalInterface
public interface ValidatorDirectory {
  ValidatorPool snapshot();
}
