package io.verdict.node.audit;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** The audit log's query tables, as the Audit service reads them. */
public interface AuditStore {

    /** "h2" or "cassandra". */
    String kind();

    /** One page of the jobs {@code query} asks for, newest first. */
    CompletionStage<JobPage> jobs(JobQuery query);

    /** Every version of {@code model}, oldest publication first; empty when it has none. */
    CompletionStage<List<VersionRecord>> modelHistory(String model);
}
