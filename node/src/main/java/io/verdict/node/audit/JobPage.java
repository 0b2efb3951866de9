package io.verdict.node.audit;

import java.util.List;

/** One page of jobs, newest first, and the token of the next page (null on the last one). */
public record JobPage(List<JobRecord> jobs, String nextPageToken) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }

    /** The page of {@code limit} jobs out of {@code fetched} (which holds one more when there is a next page). */
    public static JobPage of(List<JobRecord> fetched, int limit) {
        if (fetched.size() <= limit) {
            return new JobPage(fetched, null);
        }
        List<JobRecord> page = fetched.subList(0, limit);
        return new JobPage(page, page.get(limit - 1).cursor().token());
    }
}
