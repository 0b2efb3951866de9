package io.verdict.actors.entry;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.verdict.actors.validator.LocalValidatorDirectory;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.sharding.job.InferenceJob;
import io.verdict.sharding.job.JobSettings;
import io.verdict.sharding.job.JobSpec;
import io.verdict.sharding.job.JobView;
import io.verdict.sharding.job.ValidatorProtocol;
import io.verdict.verification.Address;
import io.verdict.verification.ContentDigest;
import io.verdict.verification.JobId;
import io.verdict.verification.PolicyText;
import io.verdict.verification.attestation.Attestation;
import io.verdict.verification.attestation.AttestationDomain;
import io.verdict.verification.attestation.Vote;
import io.verdict.verification.keys.ValidatorKey;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Admission control against the real sharded {@link InferenceJob} on a one-node cluster (in-memory
 * journal). The only validator is a TestProbe, so a job stays unfinished until the test answers
 * with a really signed vote.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobEntryTest {

    private static final AttestationDomain DOMAIN =
            new AttestationDomain(31337, Address.parse("0x5FbDB2315678afecb367f032d93F642f64180aa3"));
    private static final byte[] INPUTS = NamedTensors.of("x", Tensor.ofFloats(Shape.of(1, 2), 1f, 2f))
            .canonicalBytes();
    private static final String MODEL = ContentDigest.of("model".getBytes(StandardCharsets.US_ASCII)).toString();
    private static final byte[] OUTPUT = "output".getBytes(StandardCharsets.US_ASCII);
    private static final Duration QUIET = Duration.ofMillis(300);
    private static final AtomicInteger REQUESTS = new AtomicInteger();

    private static final Config CONFIG = ConfigFactory.parseString("""
                    pekko.actor.provider = cluster
                    pekko.remote.artery.canonical.hostname = "127.0.0.1"
                    pekko.remote.artery.canonical.port = 0
                    pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                    """)
            .withFallback(PersistenceTestKitPlugin.config())
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load());

    @JUnit5TestKit
    ActorTestKit kit = new JUnit5TestKitBuilder().withName("JobEntryTest").withCustomConfig(CONFIG).build();

    private final ValidatorKey key = ValidatorKey.generate();
    private TestProbe<ValidatorProtocol.Execute> validator;

    @BeforeAll
    void startOneNodeClusterWithJobs() {
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        TestProbe<Object> probe = kit.createTestProbe();
        probe.awaitAssert(Duration.ofSeconds(10),
                () -> assertThat(cluster.selfMember().status()).isEqualTo(MemberStatus.up()));

        validator = kit.createTestProbe();
        String node = cluster.selfMember().address().toString();
        InferenceJob.init(kit.system(),
                new LocalValidatorDirectory(1, 1, DOMAIN, node, Map.of(key.address(), validator.ref())),
                JobSettings.DEFAULTS);
    }

    /** A fresh job (r=1, q=1): its own client request id gives it its own job id. */
    private static JobSpec newJob() {
        return JobSpec.of("demo", "1", MODEL, "EXACT", ContentDigest.of(INPUTS).toString(), INPUTS, 1, 1, "alice",
                "req-" + REQUESTS.incrementAndGet(), 0);
    }

    private int inFlight(ActorRef<JobEntry.Command> entry) {
        TestProbe<Integer> probe = kit.createTestProbe();
        entry.tell(new JobEntry.InFlight(probe.ref()));
        return probe.receiveMessage();
    }

    private ValidatorProtocol.Execute awaitExecute(JobSpec spec) {
        ValidatorProtocol.Execute execute =
                validator.expectMessageClass(ValidatorProtocol.Execute.class, Duration.ofSeconds(20));
        assertThat(execute.jobId()).isEqualTo(spec.jobId());
        return execute;
    }

    private void answerHonestly(ValidatorProtocol.Execute execute) {
        Attestation attestation = new Attestation(JobId.parse(execute.jobId()),
                ContentDigest.parse(execute.modelDigest()), ContentDigest.of(execute.inputs()),
                ContentDigest.of(OUTPUT), PolicyText.of(execute.policy()), execute.epoch());
        Vote vote = Vote.sign(key, DOMAIN, attestation);
        execute.replyTo().tell(new ValidatorProtocol.Executed(key.address().toString(),
                ContentDigest.of(OUTPUT).toString(), vote.signature().toHex(), OUTPUT));
    }

    @Test
    void refusesAtOnceAtTheLimitAndAdmitsAgainOnceAJobIsFinal() {
        ActorRef<JobEntry.Command> entry = kit.spawn(JobEntry.create(1));
        TestProbe<StatusReply<JobView>> first = kit.createTestProbe();
        TestProbe<StatusReply<JobView>> second = kit.createTestProbe();
        JobSpec running = newJob();
        JobSpec refused = newJob();

        entry.tell(new JobEntry.Submit(running, Duration.ofSeconds(30), first.ref()));
        ValidatorProtocol.Execute execute = awaitExecute(running);
        assertThat(inFlight(entry)).isEqualTo(1);

        entry.tell(new JobEntry.Submit(refused, Duration.ofSeconds(30), second.ref()));
        StatusReply<JobView> refusal = second.receiveMessage(Duration.ofSeconds(1));
        assertThat(refusal.isError()).isTrue();
        assertThat(refusal.getError()).isInstanceOf(JobEntry.Overloaded.class)
                .hasMessageContaining("limit of 1");
        validator.expectNoMessage(QUIET);
        first.expectNoMessage(QUIET);

        answerHonestly(execute);
        StatusReply<JobView> done = first.receiveMessage(Duration.ofSeconds(10));
        assertThat(done.isSuccess()).as("reply %s", done).isTrue();
        assertThat(done.getValue().status()).isEqualTo(JobView.Status.AGREED);
        assertThat(done.getValue().jobId()).isEqualTo(running.jobId());
        assertThat(inFlight(entry)).isZero();

        entry.tell(new JobEntry.Submit(refused, Duration.ofSeconds(30), second.ref()));
        answerHonestly(awaitExecute(refused));
        assertThat(second.receiveMessage(Duration.ofSeconds(10)).getValue().status())
                .isEqualTo(JobView.Status.AGREED);
        assertThat(inFlight(entry)).isZero();
    }

    @Test
    void aJobTheEntryStopsWaitingForNoLongerCounts() {
        ActorRef<JobEntry.Command> entry = kit.spawn(JobEntry.create(1));
        TestProbe<StatusReply<JobView>> client = kit.createTestProbe();
        JobSpec silent = newJob();

        entry.tell(new JobEntry.Submit(silent, Duration.ofMillis(500), client.ref()));
        awaitExecute(silent);
        StatusReply<JobView> reply = client.receiveMessage(Duration.ofSeconds(10));

        assertThat(reply.isError()).isTrue();
        assertThat(reply.getError().getMessage()).containsIgnoringCase("timed out");
        assertThat(inFlight(entry)).isZero();
    }
}
