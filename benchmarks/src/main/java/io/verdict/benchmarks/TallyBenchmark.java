package io.verdict.benchmarks;

import io.verdict.verification.attestation.Vote;
import io.verdict.verification.quorum.QuorumTally;
import io.verdict.verification.quorum.TallyOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole tallies per second, single thread: a fresh tally for one job receives every committee
 * member's vote (each signature recovered and checked) until it reaches its outcome. One member
 * dissents, so the tally sees both agreeing and dissenting votes. r=3/q=2 is the default committee;
 * r=5/q=4 the strictest one the tests cover.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TallyBenchmark {

    @Param({"3:2", "5:4"})
    public String committeeAndQuorum;

    private Benchmarks.Committee committee;
    private int quorum;
    private List<Vote> votes;

    @Setup
    public void setUp() {
        String[] rq = committeeAndQuorum.split(":");
        committee = new Benchmarks.Committee(Integer.parseInt(rq[0]));
        quorum = Integer.parseInt(rq[1]);
        votes = new ArrayList<>();
        votes.add(committee.vote(0, committee.dissentingOutput()));
        for (int i = 1; i < committee.size(); i++) {
            votes.add(committee.vote(i, committee.agreedOutput()));
        }
    }

    @Benchmark
    public TallyOutcome tally() {
        QuorumTally tally = committee.openTally(quorum);
        for (Vote vote : votes) {
            tally = tally.add(vote).tally();
        }
        TallyOutcome outcome = tally.outcome();
        if (!(outcome instanceof TallyOutcome.Agreed)) {
            throw new IllegalStateException("benchmark tally did not agree: " + outcome);
        }
        return outcome;
    }
}
