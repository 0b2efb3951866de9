package io.verdict.benchmarks;

import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one vote costs a validator and a verifier, single thread: hashing and signing an
 * attestation (EIP-712 digest + secp256k1 signature), and recovering its signer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SigningBenchmark {

    private Benchmarks.Committee committee;
    private Vote signed;

    @Setup
    public void setUp() {
        committee = new Benchmarks.Committee(3);
        signed = committee.vote(0, committee.agreedOutput());
    }

    @Benchmark
    public Vote signAttestation() {
        return Vote.sign(committee.keys().get(0), committee.domain(), committee.attestation());
    }

    @Benchmark
    public Optional<ValidatorAddress> recoverSigner() {
        return signed.recoverSigner(committee.domain());
    }
}
