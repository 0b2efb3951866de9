package io.verdict.node.audit;

import java.util.Objects;

/**
 * One row of the audit log's job tables: what was asked, by whom, when, and how it ended.
 * Times are epoch milliseconds; {@code finishedAt}, {@code outputDigest} and {@code reason} are
 * null while the job runs (and the latter two when they do not apply).
 */
public record JobRecord(String jobId, String modelName, String modelVersion, String modelDigest, String policy,
                        String inputDigest, String requester, String clientRequestId, int r, int q,
                        JobState state, long acceptedAt, Long finishedAt, String outputDigest, String reason) {

    /** Longest failure reason kept; the journal keeps the whole text. */
    public static final int MAX_REASON = 2000;

    public JobRecord {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(modelDigest, "modelDigest");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(inputDigest, "inputDigest");
        Objects.requireNonNull(requester, "requester");
        Objects.requireNonNull(state, "state");
        modelName = modelName == null ? "" : modelName;
        modelVersion = modelVersion == null ? "" : modelVersion;
        if (reason != null && reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON);
        }
    }

    /** This job with its final outcome. */
    public JobRecord finished(JobState outcome, long at, String digest, String why) {
        return new JobRecord(jobId, modelName, modelVersion, modelDigest, policy, inputDigest, requester,
                clientRequestId, r, q, outcome, acceptedAt, at, digest, why);
    }

    /** The position of this job in the newest-first order of every job query. */
    public Cursor cursor() {
        return new Cursor(acceptedAt, jobId);
    }
}
