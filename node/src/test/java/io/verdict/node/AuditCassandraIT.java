package io.verdict.node;

import static io.verdict.node.AuditNodeIT.agreed;
import static io.verdict.node.AuditNodeIT.auditClient;
import static io.verdict.node.AuditNodeIT.awaitProjected;
import static io.verdict.node.AuditNodeIT.ids;
import static io.verdict.node.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.verdict.api.v1.AuditServiceClient;
import io.verdict.api.v1.AuditStatusRequest;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ModelHistoryRequest;
import io.verdict.inference.demo.DemoModels;
import io.verdict.node.audit.AuditStoreContractOnCassandra;
import io.verdict.persistence.journal.CassandraJournal;
import io.verdict.persistence.journal.LocalCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The audit read side on a real Cassandra 5 (scripts/cassandra): the audit store contract on the
 * Cassandra tables, and a node on the Cassandra journal whose jobs and models the projections
 * bring into those tables, queried over gRPC.
 */
class AuditCassandraIT {

    private static LocalCassandra cassandra;
    private static ActorTestKit kit;

    @BeforeAll
    static void startCassandra() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(), Files.createTempDirectory(target, "cassandra-audit-it-"));
        kit = ActorTestKit.create("audit-store", CassandraJournal.config(List.of(cassandra.contactPoint()),
                ConfigFactory.parseString("pekko.loglevel = WARNING")));
    }

    @AfterAll
    static void stopCassandra() throws Exception {
        if (kit != null) {
            kit.shutdownTestKit();
        }
        if (cassandra != null) {
            cassandra.close();
        }
    }

    @Nested
    class StoreContract extends AuditStoreContractOnCassandra {
        StoreContract() {
            super(kit.system());
        }
    }

    @Test
    void aNodeOnCassandraProjectsItsJobsAndModelsIntoTheAuditTables() throws Exception {
        Path dataDir = TestNodes.tempDir("audit-cassandra-");
        ActorSystem<Void> clientSystem = TestNodes.clientSystem();
        VerdictNode node = VerdictNode.start(TestNodes.config(dataDir, """
                verdict.journal = cassandra
                verdict.cassandra.contact-points = ["%s"]
                verdict.cassandra.journal-keyspace = verdict_audit_it_journal
                verdict.cassandra.snapshot-keyspace = verdict_audit_it_snapshot
                verdict.audit.cassandra.keyspace = verdict_audit_it
                """.formatted(cassandra.contactPoint())));
        TestNodes.Clients clients = TestNodes.Clients.connect(clientSystem, node);
        AuditServiceClient audit = auditClient(clientSystem, node);
        try {
            Job mlp1 = agreed(clients, "mlp", DemoModels.Kind.MLP, 11);
            Job cnn = agreed(clients, "cnn", DemoModels.Kind.CNN, 12);
            Job mlp2 = agreed(clients, "mlp", DemoModels.Kind.MLP, 13);
            awaitProjected(audit, 3);

            assertThat(ids(audit, ListJobsRequest.newBuilder()))
                    .containsExactly(mlp2.getJobId(), cnn.getJobId(), mlp1.getJobId());
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp")))
                    .containsExactly(mlp2.getJobId(), mlp1.getJobId());
            assertThat(ids(audit, ListJobsRequest.newBuilder().setModel("mlp").setModelVersion("1")))
                    .containsExactly(mlp2.getJobId(), mlp1.getJobId());
            assertThat(ids(audit, ListJobsRequest.newBuilder().setRequester("anonymous"))).hasSize(3);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_AGREED))).hasSize(3);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_ACCEPTED))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setStatus(JobStatus.JOB_STATUS_FAILED))).isEmpty();
            assertThat(ids(audit, ListJobsRequest.newBuilder().setAcceptedFrom(cnn.getAcceptedAt())
                    .setAcceptedTo(mlp2.getAcceptedAt()))).containsExactly(cnn.getJobId());
            ListJobsResponse page = await(audit.listJobs(ListJobsRequest.newBuilder().setPageSize(2).build()));
            assertThat(page.getJobsCount()).isEqualTo(2);
            assertThat(ids(audit, ListJobsRequest.newBuilder().setPageSize(2).setPageToken(page.getNextPageToken())))
                    .containsExactly(mlp1.getJobId());
            assertThat(await(audit.listJobs(ListJobsRequest.newBuilder().setModel("cnn").build())).getJobs(0)
                    .getOutputDigest()).isEqualTo(cnn.getOutputDigest());

            TestNodes.awaitCondition("the models in the audit log", java.time.Duration.ofSeconds(60), () ->
                    await(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel("cnn").build())
                            .handle((r, e) -> e == null)));
            assertThat(await(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel("mlp").build()))
                    .getVersionsList()).singleElement().satisfies(v -> {
                        assertThat(v.getVersion()).isEqualTo("1");
                        assertThat(v.getModelDigest()).isEqualTo(mlp1.getModel().getModelDigest());
                        assertThat(v.getPublishedBy()).isEqualTo("verdict-demo");
                    });

            AuditStatusResponse status = await(audit.auditStatus(AuditStatusRequest.getDefaultInstance()));
            assertThat(status.getStore()).isEqualTo("cassandra");
            assertThat(AuditNodeIT.progress(status, "audit-jobs").getEventsHandled()).isGreaterThanOrEqualTo(6);
        } finally {
            await(audit.close());
            clients.close();
            node.stop();
            TestNodes.terminate(clientSystem);
            TestNodes.deleteRecursively(dataDir);
        }
    }
}
