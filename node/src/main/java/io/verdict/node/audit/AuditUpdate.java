package io.verdict.node.audit;

import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSpec;
import io.verdict.sharding.model.Model;
import io.verdict.sharding.model.ModelVersionSpec;
import java.util.Optional;

/**
 * What one tagged journal event changes in the audit tables. Every update is idempotent: applying
 * it twice (at-least-once delivery, a replay after a restart) leaves the tables as applying it once.
 */
public sealed interface AuditUpdate {

    /** A job was accepted: insert it as RUNNING unless it is already there. */
    record Accepted(JobRecord job) implements AuditUpdate {}

    /** A job became final: set its outcome. */
    record Finished(String jobId, JobState state, long at, String outputDigest, String reason) implements AuditUpdate {}

    /** A model version was published: insert it, keeping a retirement already recorded. */
    record Published(VersionRecord version) implements AuditUpdate {}

    /** A model version was retired: set its retirement. */
    record Retired(String model, String version, long at, String reason) implements AuditUpdate {}

    String JOB_PREFIX = InferenceJob.ENTITY_KEY.name() + "|";

    /**
     * The update of a journal event of {@code persistenceId}; empty for events the audit log does not
     * record (votes, replacements, escalations are in each job's own history).
     */
    static Optional<AuditUpdate> of(String persistenceId, Object event) {
        if (event instanceof InferenceJob.JobAccepted a) {
            JobSpec s = a.spec();
            return Optional.of(new Accepted(new JobRecord(s.jobId(), s.modelName(), s.modelVersion(),
                    s.modelDigest(), s.policy(), s.inputDigest(), s.requester(), s.clientRequestId(), s.r(), s.q(),
                    JobState.RUNNING, a.acceptedAt(), null, null, null)));
        }
        if (event instanceof InferenceJob.QuorumReached q) {
            return Optional.of(new Finished(jobId(persistenceId), JobState.AGREED, q.at(), q.outputDigest(), null));
        }
        if (event instanceof InferenceJob.JobDisputed d) {
            return Optional.of(new Finished(jobId(persistenceId), JobState.DISPUTED, d.at(), null, d.reason()));
        }
        if (event instanceof InferenceJob.JobFailed f) {
            return Optional.of(new Finished(jobId(persistenceId), JobState.FAILED, f.at(), null, f.reason()));
        }
        if (event instanceof Model.VersionPublished p) {
            ModelVersionSpec s = p.spec();
            return Optional.of(new Published(new VersionRecord(p.model(), s.version(), s.modelDigest(),
                    s.agreementPolicy(), s.engine(), s.publishedBy(), s.sizeBytes(), p.publishedAt(), null, null)));
        }
        if (event instanceof Model.VersionRetired r) {
            return Optional.of(new Retired(r.model(), r.version(), r.retiredAt(), r.reason()));
        }
        return Optional.empty();
    }

    private static String jobId(String persistenceId) {
        if (!persistenceId.startsWith(JOB_PREFIX)) {
            throw new IllegalArgumentException("not a job's persistence id: " + persistenceId);
        }
        return persistenceId.substring(JOB_PREFIX.length());
    }
}
