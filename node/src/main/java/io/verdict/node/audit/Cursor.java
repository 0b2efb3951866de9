package io.verdict.node.audit;

import io.verdict.node.RequestRejected;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A position in the newest-first order of jobs (acceptance time descending, then job id
 * descending); a page holds the jobs strictly after it. As a page token it is opaque base64url
 * text of {@code v1:<millis>:<job id>}.
 */
public record Cursor(long acceptedAt, String jobId) {

    /** Before every job: the start of an unbounded query. */
    public static final Cursor FIRST = new Cursor(Long.MAX_VALUE, "");

    /** Before every job accepted before {@code millis} (an exclusive upper time bound). */
    public static Cursor before(long millis) {
        return new Cursor(millis, "");
    }

    /** True when {@code job} comes after this position. */
    public boolean precedes(JobRecord job) {
        return job.acceptedAt() < acceptedAt
                || (job.acceptedAt() == acceptedAt && job.jobId().compareTo(jobId) < 0);
    }

    /** Whichever of the two comes later in the listing (the one that skips more jobs). */
    public Cursor orLater(Cursor other) {
        int byTime = Long.compare(acceptedAt, other.acceptedAt);
        return byTime < 0 || (byTime == 0 && jobId.compareTo(other.jobId) <= 0) ? this : other;
    }

    public String token() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("v1:" + acceptedAt + ":" + jobId).getBytes(StandardCharsets.UTF_8));
    }

    /** The cursor of a page token; INVALID_ARGUMENT when it is not one this server issued. */
    public static Cursor parse(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            String[] parts = text.split(":", 3);
            if (parts.length != 3 || !parts[0].equals("v1")) {
                throw new IllegalArgumentException(text);
            }
            return new Cursor(Long.parseLong(parts[1]), parts[2]);
        } catch (IllegalArgumentException e) {
            throw RequestRejected.invalid("page_token is not a token this server issued; "
                    + "pass the next_page_token of the previous page unchanged");
        }
    }
}
