package io.verdict.node.audit;

import io.verdict.node.RequestRejected;

/**
 * A page of jobs to find: every filter that is not null must hold. Jobs come newest first, and the
 * page starts right after {@link #start}: the previous page's last job, or the upper time bound.
 *
 * @param model model name, or null for any
 * @param version model version (only with {@code model}), or null for any
 * @param requester requester, or null for anyone
 * @param state job state, or null for any
 * @param from accepted at or after (epoch millis), or null
 * @param to accepted before (epoch millis, exclusive), or null
 * @param limit largest number of jobs on the page (1..{@link #MAX_LIMIT})
 * @param start where the page starts
 */
public record JobQuery(String model, String version, String requester, JobState state, Long from, Long to,
                       int limit, Cursor start) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public JobQuery {
        model = blankToNull(model);
        version = blankToNull(version);
        requester = blankToNull(requester);
        if (version != null && model == null) {
            throw RequestRejected.invalid("a model version filter needs the model name too");
        }
        if (from != null && to != null && from >= to) {
            throw RequestRejected.invalid("the time range is empty: accepted_from (" + from
                    + " ms) must be before accepted_to (" + to + " ms)");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw RequestRejected.invalid("page size must be between 1 and " + MAX_LIMIT + ", got " + limit);
        }
        if (start == null) {
            start = Cursor.FIRST;
        }
        if (to != null) {
            start = start.orLater(Cursor.before(to));
        }
    }

    /** A query with every filter given, the page size (0 for the default) and a page token (empty for the first). */
    public static JobQuery of(String model, String version, String requester, JobState state, Long from, Long to,
                              int pageSize, String pageToken) {
        Cursor start = pageToken == null || pageToken.isEmpty() ? null : Cursor.parse(pageToken);
        return new JobQuery(model, version, requester, state, from, to,
                pageSize == 0 ? DEFAULT_LIMIT : Math.min(pageSize, MAX_LIMIT), start);
    }

    /** True when {@code job} passes every filter and lies after the page start. */
    public boolean matches(JobRecord job) {
        return start.precedes(job)
                && (model == null || model.equals(job.modelName()))
                && (version == null || version.equals(job.modelVersion()))
                && (requester == null || requester.equals(job.requester()))
                && (state == null || state == job.state())
                && (from == null || job.acceptedAt() >= from);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
