package io.verdict.node;

import static io.verdict.node.TestNodes.await;
import static io.verdict.node.TestNodes.submit;
import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.inference.demo.DemoModels;
import io.verdict.persistence.journal.LocalCassandra;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node on the Cassandra journal, chosen by configuration: a real Cassandra 5 process started by
 * scripts/cassandra; jobs, receipts and models written by one node are all there for a new node
 * started on the same keyspaces; a node with an empty model store fetches a model published by
 * another node from shared storage and runs it.
 */
class CassandraNodeIT {

    private static LocalCassandra cassandra;
    private static Path dataDir;
    private static ActorSystem<Void> clientSystem;

    @BeforeAll
    static void startCassandra() throws Exception {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        cassandra = LocalCassandra.start(LocalCassandra.repositoryRoot(), Files.createTempDirectory(target, "cassandra-node-it-"));
        dataDir = TestNodes.tempDir("cassandra-node-");
        clientSystem = TestNodes.clientSystem();
    }

    @AfterAll
    static void stopAll() throws Exception {
        if (clientSystem != null) {
            TestNodes.terminate(clientSystem);
        }
        if (cassandra != null) {
            cassandra.close();
        }
        if (dataDir != null) {
            TestNodes.deleteRecursively(dataDir);
        }
    }

    private static VerdictNode startNode() throws Exception {
        return VerdictNode.start(TestNodes.config(dataDir, """
                verdict.journal = cassandra
                verdict.cassandra.contact-points = ["%s"]
                verdict.cassandra.journal-keyspace = verdict_node_it_journal
                verdict.cassandra.snapshot-keyspace = verdict_node_it_snapshot
                """.formatted(cassandra.contactPoint())));
    }

    @Test
    void aNodeWithoutTheModelFetchesItFromSharedStorage() throws Exception {
        String hocon = """
                verdict.journal = cassandra
                verdict.cassandra.contact-points = ["%s"]
                verdict.cassandra.journal-keyspace = verdict_fetch_it_journal
                verdict.cassandra.snapshot-keyspace = verdict_fetch_it_snapshot
                verdict.cassandra.models.keyspace = verdict_fetch_it_models
                """.formatted(cassandra.contactPoint());
        Path dirA = TestNodes.tempDir("cassandra-node-a-");
        Path dirB = TestNodes.tempDir("cassandra-node-b-");
        try {
            // Node A publishes the demo models: into its own store and into shared storage.
            VerdictNode a = VerdictNode.start(TestNodes.config(dirA, hocon));
            a.stop();
            // Node B has an empty store; the catalog knows the models, so it does not publish them.
            VerdictNode b = VerdictNode.start(TestNodes.config(dirB, hocon));
            TestNodes.Clients clients = TestNodes.Clients.connect(clientSystem, b);
            try {
                assertThat(storedModels(b)).isEmpty();
                SubmitResponse response = await(clients.verdict().submit(
                        submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 902))));
                assertThat(response.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
                TestNodes.verifiedReceipt(response.getJob().getReceiptJson());
                // Fetched by its digest, verified and stored: the same directory name as on node A.
                assertThat(storedModels(b)).hasSize(1).isSubsetOf(storedModels(a));
            } finally {
                clients.close();
                b.stop();
            }
        } finally {
            TestNodes.deleteRecursively(dirA);
            TestNodes.deleteRecursively(dirB);
        }
    }

    /** The digest directories of a node's model store (temporaries start with '.'). */
    private static List<String> storedModels(VerdictNode node) throws IOException {
        try (Stream<Path> files = Files.list(node.settings().modelsDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void jobsReceiptsAndModelsLiveInCassandraAcrossARestart() throws Exception {
        String jobId;
        String receipt;
        VerdictNode first = startNode();
        TestNodes.Clients clients = TestNodes.Clients.connect(clientSystem, first);
        try {
            SubmitResponse response = await(clients.verdict().submit(
                    submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 900))));
            assertThat(response.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
            jobId = response.getJob().getJobId();
            receipt = response.getJob().getReceiptJson();
            TestNodes.verifiedReceipt(receipt);
            // The model catalog lists models from the Cassandra read journal.
            assertThat(await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList())
                    .extracting(io.verdict.api.v1.Model::getName).containsExactly("cnn", "cnn-onnx", "mlp", "mlp-onnx");
        } finally {
            clients.close();
            first.stop();
        }

        VerdictNode second = startNode();
        clients = TestNodes.Clients.connect(clientSystem, second);
        try {
            GetJobResponse job = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
            assertThat(job.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
            assertThat(job.getJob().getReceiptJson()).isEqualTo(receipt);
            assertThat(await(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(jobId).build()))
                    .getReceiptJson()).isEqualTo(receipt);
            // The demo models were not published again: the Model entities recovered from Cassandra.
            assertThat(await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList())
                    .allSatisfy(m -> assertThat(m.getVersionsCount()).isEqualTo(1));
            SubmitResponse again = await(clients.verdict().submit(
                    submit("mlp", DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 901))));
            assertThat(again.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        } finally {
            clients.close();
            second.stop();
        }
    }
}
