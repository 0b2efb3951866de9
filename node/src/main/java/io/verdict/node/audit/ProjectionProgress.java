package io.verdict.node.audit;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.projection.ProjectionId;

/** What this node's instance of one audit projection has handled since it started. */
public final class ProjectionProgress {

    private final ProjectionId id;
    private final String tag;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong lastEventAt = new AtomicLong();

    ProjectionProgress(ProjectionId id, String tag) {
        this.id = id;
        this.tag = tag;
    }

    void handled(long eventTimestamp) {
        events.incrementAndGet();
        lastEventAt.accumulateAndGet(eventTimestamp, Math::max);
    }

    public ProjectionId id() {
        return id;
    }

    public String tag() {
        return tag;
    }

    public long events() {
        return events.get();
    }

    /** Epoch millis of the newest event handled; 0 before the first. */
    public long lastEventAt() {
        return lastEventAt.get();
    }
}
