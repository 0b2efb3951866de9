package io.verdict.sharding.model;

/** Whether jobs may still use a model version. */
public enum VersionStatus {
    ACTIVE,
    RETIRED
}
