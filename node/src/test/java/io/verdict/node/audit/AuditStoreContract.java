package io.verdict.node.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.verdict.node.RequestRejected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every audit store does, written once: H2 ({@link H2AuditStoreTest}) and Cassandra
 * ({@code AuditCassandraIT}) run it. Six jobs over three months, two models, two requesters and
 * every state; each query must return exactly the jobs it describes, newest first.
 */
abstract class AuditStoreContract {

    static final long OCT = Instant.parse("2026-10-30T12:00:00Z").toEpochMilli();
    static final long NOV = Instant.parse("2026-11-15T12:00:00Z").toEpochMilli();
    static final long DEC = Instant.parse("2026-12-02T12:00:00Z").toEpochMilli();

    /** An empty store for this test. */
    abstract AuditStore emptyStore() throws Exception;

    /** Applies {@code update} as the store's projection handler does, and waits for it. */
    abstract void apply(AuditUpdate update) throws Exception;

    AuditStore store;

    @BeforeEach
    void freshStore() throws Exception {
        store = emptyStore();
    }

    static AuditUpdate accepted(String id, String model, String version, String requester, long at) {
        return new AuditUpdate.Accepted(new JobRecord(id, model, version, "sha256:" + "ab".repeat(32), "EXACT",
                "sha256:" + "cd".repeat(32), requester, "req-" + id, 3, 2, JobState.RUNNING, at, null, null, null));
    }

    static AuditUpdate agreed(String id, long at) {
        return new AuditUpdate.Finished(id, JobState.AGREED, at, "sha256:" + "ef".repeat(32), null);
    }

    /** j1..j6: j5 and j6 share their acceptance time (the job id breaks the tie). */
    List<AuditUpdate> scenario() {
        return List.of(
                accepted("j1", "mlp", "1", "alice", OCT), agreed("j1", OCT + 500),
                accepted("j2", "mlp", "2", "bob", NOV),
                new AuditUpdate.Finished("j2", JobState.FAILED, NOV + 3000, null, "deadline exceeded"),
                accepted("j3", "cnn", "1", "alice", NOV + 60_000),
                new AuditUpdate.Finished("j3", JobState.DISPUTED, NOV + 61_000, null, "no quorum possible"),
                accepted("j4", "cnn", "1", "bob", NOV + 120_000),
                accepted("j5", "mlp", "1", "alice", DEC),
                accepted("j6", "mlp", "2", "alice", DEC), agreed("j6", DEC + 700));
    }

    void applyAll(List<AuditUpdate> updates) throws Exception {
        for (AuditUpdate u : updates) {
            apply(u);
        }
    }

    List<String> ids(String model, String version, String requester, JobState state, Long from, Long to)
            throws Exception {
        return store.jobs(JobQuery.of(model, version, requester, state, from, to, 0, null))
                .toCompletableFuture().get(30, TimeUnit.SECONDS).jobs().stream().map(JobRecord::jobId).toList();
    }

    @Test
    void everyFilterAndTheirCombinationsReturnExactlyTheMatchingJobsNewestFirst() throws Exception {
        applyAll(scenario());

        assertThat(ids(null, null, null, null, null, null)).containsExactly("j6", "j5", "j4", "j3", "j2", "j1");
        assertThat(ids("mlp", null, null, null, null, null)).containsExactly("j6", "j5", "j2", "j1");
        assertThat(ids("mlp", "1", null, null, null, null)).containsExactly("j5", "j1");
        assertThat(ids("cnn", "2", null, null, null, null)).isEmpty();
        assertThat(ids(null, null, "bob", null, null, null)).containsExactly("j4", "j2");
        assertThat(ids(null, null, null, JobState.RUNNING, null, null)).containsExactly("j5", "j4");
        assertThat(ids(null, null, null, JobState.AGREED, null, null)).containsExactly("j6", "j1");
        assertThat(ids(null, null, null, JobState.FAILED, null, null)).containsExactly("j2");
        assertThat(ids(null, null, null, JobState.DISPUTED, null, null)).containsExactly("j3");
        // from inclusive, to exclusive
        assertThat(ids(null, null, null, null, NOV, NOV + 120_000)).containsExactly("j3", "j2");
        assertThat(ids(null, null, null, null, NOV + 1, null)).containsExactly("j6", "j5", "j4", "j3");
        assertThat(ids(null, null, null, null, null, DEC)).containsExactly("j4", "j3", "j2", "j1");
        assertThat(ids("mlp", null, "alice", JobState.AGREED, null, null)).containsExactly("j6", "j1");
        assertThat(ids("mlp", null, "alice", null, OCT + 1, null)).containsExactly("j6", "j5");
        assertThat(ids(null, null, "alice", JobState.DISPUTED, OCT, DEC)).containsExactly("j3");
        assertThat(ids("nope", null, null, null, null, null)).isEmpty();
    }

    @Test
    void aJobCarriesWhatWasAskedAndHowItEnded() throws Exception {
        applyAll(scenario());
        JobPage page = store.jobs(JobQuery.of("mlp", "2", "bob", null, null, null, 0, null))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(page.jobs()).singleElement().satisfies(j -> {
            assertThat(j).isEqualTo(new JobRecord("j2", "mlp", "2", "sha256:" + "ab".repeat(32), "EXACT",
                    "sha256:" + "cd".repeat(32), "bob", "req-j2", 3, 2, JobState.FAILED, NOV, NOV + 3000, null,
                    "deadline exceeded"));
        });
        assertThat(page.nextPageToken()).isNull();
    }

    @Test
    void pagesWalkEveryJobOnceAcrossMonthsAndTies() throws Exception {
        applyAll(scenario());
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            JobPage page = store.jobs(JobQuery.of(null, null, null, null, null, null, 2, token))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            page.jobs().forEach(j -> seen.add(j.jobId()));
            token = page.nextPageToken();
            pages++;
        } while (token != null && pages < 10);
        assertThat(seen).containsExactly("j6", "j5", "j4", "j3", "j2", "j1");
        assertThat(pages).isEqualTo(3);

        JobPage first = store.jobs(JobQuery.of("mlp", null, null, null, null, null, 1, null))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        JobPage second = store.jobs(JobQuery.of("mlp", null, null, null, null, null, 1, first.nextPageToken()))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(first.jobs()).extracting(JobRecord::jobId).containsExactly("j6");
        assertThat(second.jobs()).extracting(JobRecord::jobId).containsExactly("j5");
        assertThat(second.nextPageToken()).isNotNull();
    }

    @Test
    void applyingEventsAgainChangesNothingEvenAReplayedAcceptanceOfAFinishedJob() throws Exception {
        applyAll(scenario());
        applyAll(scenario());
        apply(accepted("j1", "mlp", "1", "alice", OCT));

        assertThat(ids(null, null, null, null, null, null)).containsExactly("j6", "j5", "j4", "j3", "j2", "j1");
        assertThat(ids(null, null, null, JobState.AGREED, null, null)).containsExactly("j6", "j1");
        assertThat(ids(null, null, null, JobState.RUNNING, null, null)).containsExactly("j5", "j4");
    }

    @Test
    void aJobLeavesTheRunningStateWhenItFinishes() throws Exception {
        apply(accepted("j7", "mlp", "1", "carol", NOV));
        assertThat(ids(null, null, null, JobState.RUNNING, null, null)).containsExactly("j7");
        apply(agreed("j7", NOV + 10));
        assertThat(ids(null, null, null, JobState.RUNNING, null, null)).isEmpty();
        assertThat(ids(null, null, "carol", JobState.AGREED, null, null)).containsExactly("j7");
    }

    @Test
    void anOutcomeWithoutItsAcceptanceIsRefusedNotInvented() {
        assertThatThrownBy(() -> apply(agreed("ghost", NOV))).hasStackTraceContaining("before the audit log saw it");
    }

    @Test
    void aModelsHistoryKeepsEveryVersionAndItsRetirementThroughReplays() throws Exception {
        AuditUpdate v1 = new AuditUpdate.Published(new VersionRecord("mlp", "1", "sha256:" + "11".repeat(32), "EXACT",
                "tensorflow", "ops", 1234, OCT, null, null));
        AuditUpdate v2 = new AuditUpdate.Published(new VersionRecord("mlp", "2", "sha256:" + "22".repeat(32),
                "QUANTIZED(0.001)", "tensorflow", "ops", 5678, NOV, null, null));
        AuditUpdate retire = new AuditUpdate.Retired("mlp", "1", DEC, "superseded");
        applyAll(List.of(v1, v2, retire, v1, retire));
        apply(new AuditUpdate.Published(new VersionRecord("cnn", "1", "sha256:" + "33".repeat(32), "ARGMAX",
                "tensorflow", "ops", 1, NOV, null, null)));

        List<VersionRecord> history = store.modelHistory("mlp").toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(history).containsExactly(
                new VersionRecord("mlp", "1", "sha256:" + "11".repeat(32), "EXACT", "tensorflow", "ops", 1234, OCT,
                        DEC, "superseded"),
                new VersionRecord("mlp", "2", "sha256:" + "22".repeat(32), "QUANTIZED(0.001)", "tensorflow", "ops",
                        5678, NOV, null, null));
        assertThat(store.modelHistory("unknown").toCompletableFuture().get(30, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void badQueriesAreRefusedAsInvalid() {
        assertThatThrownBy(() -> JobQuery.of(null, "1", null, null, null, null, 0, null))
                .isInstanceOfSatisfying(RequestRejected.class,
                        e -> assertThat(e.kind()).isEqualTo(RequestRejected.Kind.INVALID));
        assertThatThrownBy(() -> JobQuery.of(null, null, null, null, NOV, NOV, 0, null))
                .isInstanceOf(RequestRejected.class).hasMessageContaining("time range is empty");
        assertThatThrownBy(() -> JobQuery.of(null, null, null, null, null, null, 0, "not-a-token"))
                .isInstanceOf(RequestRejected.class).hasMessageContaining("page_token");
    }
}
