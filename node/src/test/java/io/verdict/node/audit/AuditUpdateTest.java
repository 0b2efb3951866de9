package io.verdict.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSpec;
import io.verdict.sharding.model.Model;
import io.verdict.sharding.model.ModelVersionSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditUpdateTest {

    private static final String JOB = "0x" + "12".repeat(32);
    private static final String PID = "InferenceJob|" + JOB;

    @Test
    void anAcceptedJobBecomesARunningRowWithItsSpec() {
        JobSpec spec = new JobSpec(JOB, "mlp", "3", "sha256:" + "ab".repeat(32), "ARGMAX", "sha256:" + "cd".repeat(32),
                new byte[] {1, 2}, 5, 3, "alice", "req-9", 10_000);
        InferenceJob.JobAccepted accepted = new InferenceJob.JobAccepted(spec, List.of("0xa", "0xb"), 1, 1,
                List.of("0xa", "0xb"), 31337, "0x0", 1_800_000_000_000L);

        assertThat(AuditUpdate.of(PID, accepted)).contains(new AuditUpdate.Accepted(new JobRecord(JOB, "mlp", "3",
                "sha256:" + "ab".repeat(32), "ARGMAX", "sha256:" + "cd".repeat(32), "alice", "req-9", 5, 3,
                JobState.RUNNING, 1_800_000_000_000L, null, null, null)));
    }

    @Test
    void finalEventsBecomeOutcomesOfTheJobNamedByThePersistenceId() {
        assertThat(AuditUpdate.of(PID, new InferenceJob.QuorumReached("sha256:" + "ee".repeat(32), new byte[0],
                List.of("0xa"), 7L, null, 0, 0, null))).contains(new AuditUpdate.Finished(JOB, JobState.AGREED, 7L,
                "sha256:" + "ee".repeat(32), null));
        assertThat(AuditUpdate.of(PID, new InferenceJob.JobDisputed("split vote", 8L)))
                .contains(new AuditUpdate.Finished(JOB, JobState.DISPUTED, 8L, null, "split vote"));
        assertThat(AuditUpdate.of(PID, new InferenceJob.JobFailed("deadline", 9L)))
                .contains(new AuditUpdate.Finished(JOB, JobState.FAILED, 9L, null, "deadline"));
        assertThatThrownBy(() -> AuditUpdate.of("Model|mlp", new InferenceJob.JobFailed("x", 1L)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void votesAndReplacementsAreNotAuditRows() {
        assertThat(AuditUpdate.of(PID, new InferenceJob.MemberReplaced("0xa", "0xb", "timeout", 1L))).isEmpty();
        assertThat(AuditUpdate.of(PID, new InferenceJob.CommitteeEscalated(List.of("0xc"), 1L))).isEmpty();
    }

    @Test
    void modelEventsBecomeVersionHistory() {
        ModelVersionSpec spec = new ModelVersionSpec("2", "sha256:" + "77".repeat(32), "tensorflow", "EXACT",
                List.of(), List.of(), 4096, "ops-team");
        assertThat(AuditUpdate.of("Model|mlp", new Model.VersionPublished("mlp", spec, 100L)))
                .contains(new AuditUpdate.Published(new VersionRecord("mlp", "2", "sha256:" + "77".repeat(32),
                        "EXACT", "tensorflow", "ops-team", 4096, 100L, null, null)));
        assertThat(AuditUpdate.of("Model|mlp", new Model.VersionRetired("mlp", "2", "bad", 200L)))
                .contains(new AuditUpdate.Retired("mlp", "2", 200L, "bad"));
    }

    @Test
    void pageTokensRoundTripAndTheUpperTimeBoundStartsThePage() {
        Cursor c = new Cursor(1_800_000_000_000L, JOB);
        assertThat(Cursor.parse(c.token())).isEqualTo(c);
        JobQuery bounded = JobQuery.of(null, null, null, null, null, 5000L, 0, null);
        assertThat(bounded.start()).isEqualTo(Cursor.before(5000L));
        // A token further down the list than the bound wins; one before it does not.
        assertThat(JobQuery.of(null, null, null, null, null, 5000L, 0, new Cursor(4000L, "x").token()).start())
                .isEqualTo(new Cursor(4000L, "x"));
        assertThat(JobQuery.of(null, null, null, null, null, 5000L, 0, new Cursor(6000L, "x").token()).start())
                .isEqualTo(Cursor.before(5000L));
        assertThat(JobQuery.of(null, null, null, null, null, null, 10_000, null).limit()).isEqualTo(JobQuery.MAX_LIMIT);
        assertThat(JobQuery.of(null, null, null, null, null, null, 0, null).limit()).isEqualTo(JobQuery.DEFAULT_LIMIT);
    }
}
