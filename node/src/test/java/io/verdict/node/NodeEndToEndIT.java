package io.verdict.node;

import static io.verdict.node.TestNodes.assertRefused;
import static io.verdict.node.TestNodes.await;
import static io.verdict.node.TestNodes.directRun;
import static io.verdict.node.TestNodes.submit;
import static io.verdict.node.TestNodes.upload;
import static io.verdict.node.TestNodes.verifiedReceipt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.verdict.api.kserve.InferParameter;
import io.verdict.api.kserve.ModelInferRequest;
import io.verdict.api.kserve.ModelInferResponse;
import io.verdict.api.kserve.ModelReadyRequest;
import io.verdict.api.v1.DType;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetModelRequest;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.Job;
import io.verdict.api.v1.JobEvent;
import io.verdict.api.v1.JobEventType;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.Model;
import io.verdict.api.v1.ModelFormat;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersion;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.RetireModelRequest;
import io.verdict.api.v1.RetireModelResponse;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.ValidatorInfoRequest;
import io.verdict.api.v1.VerdictOutcome;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.tensor.CanonicalEncoding;
import io.verdict.inference.tensor.NamedTensors;
import io.verdict.inference.tensor.Shape;
import io.verdict.inference.tensor.Tensor;
import io.verdict.persistence.models.ModelStore;
import io.verdict.verification.receipt.Receipt;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One real node in-process (three validators, embedded journal, TensorFlow), driven only over
 * gRPC on loopback with the generated Pekko gRPC clients, the way a user drives it: publish a model,
 * run verified jobs through both APIs and check every receipt offline against a direct run of the
 * model, refuse bad input with the right status, and keep everything across a restart on the same
 * data directory, then publish a second version with declared limits and retire the first. The
 * tests run in order: later ones use the model and the jobs of earlier ones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeEndToEndIT {

    private static final String NODE_SETTINGS = """
            verdict.validators.count = 3
            verdict.limits.max-request-bytes = 64k
            """;
    private static final String MODEL = "mlp-e2e";
    private static final AgreementPolicy POLICY = AgreementPolicy.EXACT;

    private static Path workDir;
    private static Path dataDir;
    private static Path modelDir;
    private static ActorSystem<Void> clientSystem;
    private static VerdictNode node;
    private static TestNodes.Clients clients;

    private static byte[] archive;
    private static String modelDigest;
    /** Jobs that reached agreement, by id, with their receipt: all must survive the restart. */
    private static final Map<String, String> agreedJobs = new LinkedHashMap<>();
    private static SubmitRequest retriedRequest;

    @BeforeAll
    static void startNode() throws Exception {
        workDir = TestNodes.tempDir("e2e-");
        dataDir = workDir.resolve("data");
        clientSystem = TestNodes.clientSystem();
        node = VerdictNode.start(TestNodes.config(dataDir, NODE_SETTINGS));
        clients = TestNodes.Clients.connect(clientSystem, node);

        modelDir = workDir.resolve("mlp-e2e");
        DemoModels.export(DemoModels.Kind.MLP, modelDir);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        modelDigest = ModelStore.zip(modelDir, zip).digest().toString();
        archive = zip.toByteArray();
    }

    @AfterAll
    static void stopNode() {
        if (clients != null) {
            clients.close();
        }
        if (node != null) {
            node.stop();
        }
        TestNodes.terminate(clientSystem);
        TestNodes.deleteRecursively(workDir);
    }

    // ---- publishing ----

    @Test
    @Order(1)
    void publishesAModelStreamedOverGrpc() {
        PublishModelResponse response = await(clients.verdict().publishModel(Source.from(upload(header(), archive))));

        ModelVersion published = response.getPublished();
        assertThat(published.getVersion()).isEqualTo("1");
        assertThat(published.getModelDigest()).isEqualTo(modelDigest);
        assertThat(published.getAgreementPolicy()).isEqualTo("EXACT");
        assertThat(published.getState()).isEqualTo(ModelState.MODEL_STATE_AVAILABLE);
        assertThat(published.getFormat()).isEqualTo(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL);
        assertThat(published.getSignature().getInputsList()).singleElement().satisfies(in -> {
            assertThat(in.getName()).isEqualTo(DemoModels.INPUT);
            assertThat(in.getDtype()).isEqualTo(DType.DTYPE_FLOAT32);
            assertThat(in.getShapeList()).containsExactly(-1L, 64L);
        });
        assertThat(published.getSignature().getOutputsList()).singleElement().satisfies(out -> {
            assertThat(out.getName()).isEqualTo(DemoModels.OUTPUT);
            assertThat(out.getShapeList()).containsExactly(-1L, 10L);
        });
        assertThat(response.getModel().getName()).isEqualTo(MODEL);

        Model model = await(clients.verdict().getModel(GetModelRequest.newBuilder().setModel(MODEL).build())).getModel();
        assertThat(model.getLatestVersion()).isEqualTo("1");
        assertThat(model.getVersionsList()).extracting(ModelVersion::getModelDigest).containsExactly(modelDigest);

        List<Model> models = await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList();
        assertThat(models).extracting(Model::getName).containsExactly("cnn", "cnn-onnx", "mlp", MODEL, "mlp-onnx");
    }

    // ---- jobs ----

    @Test
    @Order(2)
    void runsVerifiedJobsByNameVersionAndDigest() {
        Map<String, Path> refs = new LinkedHashMap<>();
        refs.put(MODEL, modelDir);
        refs.put(MODEL + "@1", modelDir);
        refs.put(modelDigest, modelDir);
        refs.put("mlp", dataDir.resolve("demo-models").resolve("mlp"));
        long seed = 100;
        for (Map.Entry<String, Path> ref : refs.entrySet()) {
            NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 2, seed++);

            SubmitResponse response = await(clients.verdict().submit(submit(ref.getKey(), inputs)));

            Job job = response.getJob();
            assertThat(response.getExisting()).as("existing, for %s", ref.getKey()).isFalse();
            assertAgreed(job, inputs, ref.getValue());
            assertThat(job.getR()).isEqualTo(3);
            assertThat(job.getQ()).isEqualTo(2);
            assertThat(job.getVerdict().getQuorum()).isEqualTo(2);
            if (!ref.getKey().equals("mlp")) {
                assertThat(job.getModel().getName()).isEqualTo(MODEL);
                assertThat(job.getModel().getVersion()).isEqualTo("1");
                assertThat(job.getModel().getModelDigest()).isEqualTo(modelDigest);
            }
            agreedJobs.put(job.getJobId(), job.getReceiptJson());
        }
    }

    @Test
    @Order(3)
    void runsVerifiedJobsThroughKServeModelInfer() {
        NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 3, 200);
        ModelInferRequest request = ModelInferRequest.newBuilder()
                .setModelName(MODEL)
                .setModelVersion("1")
                .setId("e2e-kserve-1")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName(DemoModels.INPUT).setDatatype("FP32").addShape(3).addShape(64))
                .addRawInputContents(ByteString.copyFrom(inputs.get(DemoModels.INPUT).data()))
                .build();

        ModelInferResponse response = await(clients.inference().modelInfer(request));

        assertThat(response.getModelName()).isEqualTo(MODEL);
        assertThat(response.getModelVersion()).isEqualTo("1");
        assertThat(response.getId()).isEqualTo("e2e-kserve-1");
        assertThat(response.getOutputsList()).singleElement().satisfies(out -> {
            assertThat(out.getName()).isEqualTo(DemoModels.OUTPUT);
            assertThat(out.getDatatype()).isEqualTo("FP32");
            assertThat(out.getShapeList()).containsExactly(3L, 10L);
        });
        NamedTensors direct = directRun(modelDir, inputs);
        assertThat(response.getRawOutputContentsList()).singleElement().satisfies(raw ->
                assertThat(raw.toByteArray()).isEqualTo(direct.get(DemoModels.OUTPUT).data()));

        Map<String, InferParameter> p = response.getParametersMap();
        assertThat(p.get("verdict_outcome").getStringParam()).isEqualTo("AGREED");
        String jobId = p.get("verdict_job_id").getStringParam();
        assertThat(jobId).matches("0x[0-9a-f]{64}");
        assertThat(p.get("verdict_model_digest").getStringParam()).isEqualTo(modelDigest);
        assertThat(p.get("verdict_policy").getStringParam()).isEqualTo("EXACT");
        assertThat(p.get("verdict_signers").getInt64Param()).isGreaterThanOrEqualTo(2);
        Receipt receipt = verifiedReceipt(p.get("verdict_receipt").getStringParam());
        assertThat(receipt.jobId()).isEqualTo(jobId);
        assertThat(receipt.attestation().outputDigest()).isEqualTo(p.get("verdict_output_digest").getStringParam());
        assertThat(receipt.attestation().inputDigest()).isEqualTo(inputs.digest().toString());
        assertThat(Base64.getDecoder().decode(receipt.output()))
                .isEqualTo(POLICY.canonicalise(direct).bytes());

        // The same job through Verdict's own API: one job, whichever door it came in by.
        Job job = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build())).getJob();
        assertThat(job.getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
        assertThat(job.getReceiptJson()).isEqualTo(p.get("verdict_receipt").getStringParam());
        agreedJobs.put(jobId, job.getReceiptJson());

        assertThat(await(clients.inference().modelReady(ModelReadyRequest.newBuilder()
                .setName(MODEL).setVersion("1").build())).getReady()).isTrue();
        assertThat(await(clients.inference().modelReady(ModelReadyRequest.newBuilder()
                .setName(MODEL).setVersion("2").build())).getReady()).isFalse();
    }

    @Test
    @Order(4)
    void aRetriedSubmitJoinsTheSameJobWhoseHistoryAndReceiptStayQueryable() {
        NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 300);
        retriedRequest = submit(MODEL, inputs).toBuilder().setClientRequestId("retry-300").build();

        SubmitResponse first = await(clients.verdict().submit(retriedRequest));
        SubmitResponse retry = await(clients.verdict().submit(retriedRequest));
        SubmitResponse byDigest = await(clients.verdict().submit(retriedRequest.toBuilder().setModel(modelDigest).build()));

        assertThat(first.getExisting()).isFalse();
        assertAgreed(first.getJob(), inputs, modelDir);
        String jobId = first.getJob().getJobId();
        for (SubmitResponse again : List.of(retry, byDigest)) {
            assertThat(again.getExisting()).isTrue();
            assertThat(again.getJob().getJobId()).isEqualTo(jobId);
            assertThat(again.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
            assertThat(again.getJob().getReceiptJson()).isEqualTo(first.getJob().getReceiptJson());
        }
        assertThat(first.getJob().getClientRequestId()).isEqualTo("retry-300");
        agreedJobs.put(jobId, first.getJob().getReceiptJson());

        GetJobResponse history = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
        assertThat(history.getJob().getReceiptJson()).isEqualTo(first.getJob().getReceiptJson());
        List<JobEventType> types = history.getEventsList().stream().map(JobEvent::getType).toList();
        assertThat(types).first().isEqualTo(JobEventType.JOB_EVENT_TYPE_ACCEPTED);
        assertThat(types).last().isEqualTo(JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED);
        assertThat(types).filteredOn(JobEventType.JOB_EVENT_TYPE_VOTE_RECORDED::equals).hasSize(2);
        assertThat(history.getEventsList()).extracting(JobEvent::getSequenceNr)
                .containsExactly(java.util.stream.LongStream.rangeClosed(1, types.size()).boxed().toArray(Long[]::new));
        assertThat(history.getEventsList()).allSatisfy(e -> assertThat(e.getDescription()).isNotBlank());

        GetReceiptResponse receipt = await(clients.verdict().getReceipt(
                GetReceiptRequest.newBuilder().setJobId(jobId).build()));
        assertThat(receipt.getFormat()).isEqualTo("verdict-receipt/1");
        assertThat(receipt.getReceiptJson()).isEqualTo(first.getJob().getReceiptJson());
        assertThat(receipt.getAnchored()).isFalse();

        List<WatchJobResponse> watched = await(clients.verdict()
                .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build())
                .runWith(Sink.seq(), clientSystem));
        assertThat(watched).singleElement().satisfies(w -> {
            assertThat(w.getJob().getStatus()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
            assertThat(w.getJob().getReceiptJson()).isEqualTo(first.getJob().getReceiptJson());
        });
    }

    // ---- bad input ----

    @Test
    @Order(5)
    void refusesBadJobRequestsWithAStatusThatNamesTheProblem() {
        NamedTensors good = DemoModels.sampleInput(DemoModels.Kind.MLP, 2, 400);
        Tensor input = good.get(DemoModels.INPUT);

        assertRefused(clients.verdict().submit(submit("no-such-model", good)), Status.Code.NOT_FOUND, "no-such-model");
        assertRefused(clients.verdict().submit(submit(MODEL + "@9", good)), Status.Code.NOT_FOUND, "version 9");
        String unknownDigest = "sha256:" + "ab".repeat(32);
        assertRefused(clients.verdict().submit(submit(unknownDigest, good)), Status.Code.NOT_FOUND, unknownDigest);

        assertRefused(clients.verdict().submit(submit(MODEL, NamedTensors.of("pixels", input))),
                Status.Code.INVALID_ARGUMENT, "pixels");
        assertRefused(clients.verdict().submit(submit(MODEL,
                        NamedTensors.of(DemoModels.INPUT, Tensor.ofDoubles(Shape.of(2, 64), new double[128])))),
                Status.Code.INVALID_ARGUMENT, "dtype", "FLOAT64");
        assertRefused(clients.verdict().submit(submit(MODEL,
                        NamedTensors.of(DemoModels.INPUT, Tensor.ofFloats(Shape.of(2, 63), new float[126])))),
                Status.Code.INVALID_ARGUMENT, "shape", "63");
        SubmitRequest shortData = submit(MODEL, good).toBuilder()
                .setInputs(0, TestNodes.apiTensor(DemoModels.INPUT, input).toBuilder()
                        .setData(ByteString.copyFrom(new byte[100])))
                .build();
        assertRefused(clients.verdict().submit(shortData), Status.Code.INVALID_ARGUMENT, "input", "100");
        SubmitRequest noDtype = submit(MODEL, good).toBuilder()
                .setInputs(0, TestNodes.apiTensor(DemoModels.INPUT, input).toBuilder().setDtype(DType.DTYPE_UNSPECIFIED))
                .build();
        assertRefused(clients.verdict().submit(noDtype), Status.Code.INVALID_ARGUMENT, "dtype");

        NamedTensors big = DemoModels.sampleInput(DemoModels.Kind.MLP, 300, 401); // 76,800 bytes > 64 KiB
        assertRefused(clients.verdict().submit(submit(MODEL, big)), Status.Code.INVALID_ARGUMENT, "76800", "limit");

        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder().setR(10).build()),
                Status.Code.INVALID_ARGUMENT, "r=10");
        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder().setR(3).setQ(4).build()),
                Status.Code.INVALID_ARGUMENT, "q=4", "r=3");
        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder().setR(5).setQ(3).build()),
                Status.Code.INVALID_ARGUMENT, "r=5", "3 available validator");
        float[] withNaN = input.toFloats();
        withNaN[70] = Float.NaN;
        assertRefused(clients.verdict().submit(submit(MODEL,
                        NamedTensors.of(DemoModels.INPUT, Tensor.ofFloats(Shape.of(2, 64), withNaN)))),
                Status.Code.INVALID_ARGUMENT, "NaN", "index 70", "finite");
        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder().setR(2).setQ(1).build()),
                Status.Code.INVALID_ARGUMENT, "q=1", "majority");
        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder().addRequestedOutputs("logits").build()),
                Status.Code.INVALID_ARGUMENT, "logits");
        assertRefused(clients.verdict().submit(submit(MODEL, good).toBuilder()
                        .setClientRequestId("k".repeat(129)).build()),
                Status.Code.INVALID_ARGUMENT, "client_request_id");

        // The same mistakes through the Open Inference Protocol.
        ModelInferRequest infer = ModelInferRequest.newBuilder()
                .setModelName(MODEL)
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder()
                        .setName(DemoModels.INPUT).setDatatype("FP32").addShape(2).addShape(64))
                .addRawInputContents(ByteString.copyFrom(input.data()))
                .build();
        assertRefused(clients.inference().modelInfer(infer.toBuilder().setModelName("no-such-model").build()),
                Status.Code.NOT_FOUND, "no-such-model");
        assertRefused(clients.inference().modelInfer(infer.toBuilder()
                        .setInputs(0, infer.getInputs(0).toBuilder().setDatatype("FP16")).build()),
                Status.Code.INVALID_ARGUMENT, "FP16");
        assertRefused(clients.inference().modelInfer(infer.toBuilder()
                        .addRawInputContents(ByteString.copyFrom(new byte[4])).build()),
                Status.Code.INVALID_ARGUMENT, "raw_input_contents");
        assertRefused(clients.inference().modelInfer(infer.toBuilder()
                        .putParameters("verdict_r", InferParameter.newBuilder().setInt64Param(0).build()).build()),
                Status.Code.INVALID_ARGUMENT, "verdict_r");

        assertNodeStillServes(500);
    }

    @Test
    @Order(5)
    void aClientRequestIdIsAnIdempotencyKey() {
        NamedTensors first = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 450);
        NamedTensors other = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 451);
        SubmitRequest keyed = submit(MODEL, first).toBuilder().setClientRequestId("order-42").build();
        SubmitResponse once = await(clients.verdict().submit(keyed));
        assertThat(once.getExisting()).isFalse();
        assertAgreed(once.getJob(), first, modelDir);
        assertThat(once.getJob().getClientRequestId()).isEqualTo("order-42");

        SubmitResponse again = await(clients.verdict().submit(keyed));
        assertThat(again.getExisting()).isTrue();
        assertThat(again.getJob().getJobId()).isEqualTo(once.getJob().getJobId());
        assertThat(again.getJob().getReceiptJson()).isEqualTo(once.getJob().getReceiptJson());

        assertRefused(clients.verdict().submit(submit(MODEL, other).toBuilder().setClientRequestId("order-42").build()),
                Status.Code.ALREADY_EXISTS, once.getJob().getJobId(), "different request");

        SubmitResponse onlyOutput = await(clients.verdict().submit(submit(MODEL, other).toBuilder()
                .addRequestedOutputs("output").build()));
        assertThat(onlyOutput.getJob().getOutputsList()).extracting(io.verdict.api.v1.Tensor::getName)
                .containsExactly("output");
    }

    @Test
    @Order(6)
    void refusesBadUploadsAndKeepsNothingOfThem() {
        assertRefused(publish(upload(header().toBuilder().setTotalSize(0).build(), new byte[0])),
                Status.Code.INVALID_ARGUMENT, "empty");
        assertRefused(publish(List.of(PublishModelRequest.newBuilder()
                        .setChunk(ByteString.copyFrom(archive, 0, 100)).build())),
                Status.Code.INVALID_ARGUMENT, "header");
        byte[] half = Arrays.copyOf(archive, archive.length / 2);
        assertRefused(publish(upload(header().toBuilder().setVersion("2").build(), half)),
                Status.Code.INVALID_ARGUMENT, "truncated", Integer.toString(archive.length));
        byte[] garbage = new byte[20_000];
        new SplittableRandom(7).nextBytes(garbage);
        assertRefused(publish(upload(header().toBuilder().setVersion("2").setTotalSize(garbage.length).build(), garbage)),
                Status.Code.INVALID_ARGUMENT, "zip");
        String wrongDigest = "sha256:" + "0".repeat(64);
        assertRefused(publish(upload(header().toBuilder().setVersion("2").setModelDigest(wrongDigest).build(), archive)),
                Status.Code.INVALID_ARGUMENT, wrongDigest);
        assertRefused(publish(upload(header(), archive)), Status.Code.ALREADY_EXISTS, "version 1", "already published");
        assertRefused(publish(upload(header().toBuilder().setName("Not A Name").build(), archive)),
                Status.Code.INVALID_ARGUMENT, "Not A Name");
        assertRefused(publish(upload(header().toBuilder().setVersion("2").setAgreementPolicy("ROUGHLY").build(), archive)),
                Status.Code.INVALID_ARGUMENT, "ROUGHLY");

        Model model = await(clients.verdict().getModel(GetModelRequest.newBuilder().setModel(MODEL).build())).getModel();
        assertThat(model.getVersionsList()).extracting(ModelVersion::getVersion).containsExactly("1");
        assertThat(await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList())
                .extracting(Model::getName).containsExactly("cnn", "cnn-onnx", "mlp", MODEL, "mlp-onnx");
        assertNodeStillServes(600);
    }

    @Test
    @Order(7)
    void refusesMalformedAndUnknownJobIds() {
        String unknown = "0x" + "0".repeat(64);
        for (String malformed : List.of("not-a-job", "0x1234", "0X" + "A".repeat(64))) {
            assertRefused(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(malformed).build()),
                    Status.Code.INVALID_ARGUMENT, "job id", malformed);
            assertRefused(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(malformed).build()),
                    Status.Code.INVALID_ARGUMENT, "job id");
        }
        assertRefused(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(unknown).build()),
                Status.Code.NOT_FOUND, unknown);
        assertRefused(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(unknown).build()),
                Status.Code.NOT_FOUND, unknown);
        assertRefused(clients.verdict().watchJob(WatchJobRequest.newBuilder().setJobId(unknown).build())
                .runWith(Sink.seq(), clientSystem), Status.Code.NOT_FOUND, unknown);
        assertRefused(clients.verdict().watchJob(WatchJobRequest.newBuilder().setJobId("nope").build())
                .runWith(Sink.seq(), clientSystem), Status.Code.INVALID_ARGUMENT, "job id");
        assertNodeStillServes(700);
    }

    // ---- restart ----

    @Test
    @Order(8)
    void keepsJobsReceiptsValidatorsAndModelsAcrossARestartOnTheSameDataDirectory() throws Exception {
        assertThat(agreedJobs).as("jobs from the earlier tests").hasSizeGreaterThanOrEqualTo(6);
        List<String> validatorsBefore = validators();
        assertThat(validatorsBefore).hasSize(3);

        clients.close();
        clients = null;
        node.stop();
        node = null;
        node = VerdictNode.start(TestNodes.config(dataDir, NODE_SETTINGS));
        clients = TestNodes.Clients.connect(clientSystem, node);

        assertThat(validators()).as("validator addresses after the restart").isEqualTo(validatorsBefore);
        for (Map.Entry<String, String> job : agreedJobs.entrySet()) {
            GetJobResponse after = await(clients.verdict().getJob(GetJobRequest.newBuilder().setJobId(job.getKey()).build()));
            assertThat(after.getJob().getStatus()).as("job %s", job.getKey()).isEqualTo(JobStatus.JOB_STATUS_AGREED);
            assertThat(after.getJob().getReceiptJson()).as("receipt of job %s", job.getKey()).isEqualTo(job.getValue());
            assertThat(after.getEventsList()).last().extracting(JobEvent::getType)
                    .isEqualTo(JobEventType.JOB_EVENT_TYPE_QUORUM_REACHED);
            GetReceiptResponse receipt = await(clients.verdict().getReceipt(
                    GetReceiptRequest.newBuilder().setJobId(job.getKey()).build()));
            assertThat(receipt.getReceiptJson()).isEqualTo(job.getValue());
            verifiedReceipt(receipt.getReceiptJson());
        }

        SubmitResponse retried = await(clients.verdict().submit(retriedRequest));
        assertThat(retried.getExisting()).isTrue();
        assertThat(agreedJobs).containsEntry(retried.getJob().getJobId(), retried.getJob().getReceiptJson());

        assertThat(await(clients.verdict().listModels(ListModelsRequest.getDefaultInstance())).getModelsList())
                .extracting(Model::getName).containsExactly("cnn", "cnn-onnx", "mlp", MODEL, "mlp-onnx");
        assertNodeStillServes(800);
    }

    // ---- versions and limits (after the restart: the retried request of the restart test must still
    // resolve to version 1) ----

    @Test
    @Order(9)
    void versionsWithDeclaredLimitsAndRetirementOverGrpc() throws Exception {
        // Version 2: the same network with one more file, so another digest.
        Path modelDir2 = workDir.resolve("mlp-e2e-2");
        copyDirectory(modelDir, modelDir2);
        Files.writeString(modelDir2.resolve("NOTES.txt"), "version 2 of the e2e model");
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        String digest2 = ModelStore.zip(modelDir2, zip).digest().toString();
        byte[] archive2 = zip.toByteArray();
        PublishModelHeader v2 = header().toBuilder().setVersion("2").setModelDigest(digest2)
                .setTotalSize(archive2.length).build();

        // Limits that do not fit the signature or the node are refused, naming the problem.
        assertRefused(publish(upload(v2.toBuilder().addInputLimits(inputLimit("pixels", 4, 64)).build(), archive2)),
                Status.Code.INVALID_ARGUMENT, "mismatched signature", "pixels", DemoModels.INPUT);
        assertRefused(publish(upload(v2.toBuilder().addInputLimits(inputLimit(DemoModels.INPUT, 4, 32)).build(),
                        archive2)),
                Status.Code.INVALID_ARGUMENT, "dimension 1", "fixes it at 64");
        assertRefused(publish(upload(v2.toBuilder().setMaxInputBytes(1 << 20).build(), archive2)),
                Status.Code.INVALID_ARGUMENT, "max_input_bytes", "65536");

        PublishModelResponse published = await(clients.verdict().publishModel(Source.from(upload(v2.toBuilder()
                .setMaxBatch(4).addInputLimits(inputLimit(DemoModels.INPUT, 4, 64)).setMaxInputBytes(2048)
                .build(), archive2))));
        assertThat(published.getPublished().getMaxBatch()).isEqualTo(4);
        assertThat(published.getPublished().getMaxInputBytes()).isEqualTo(2048);
        assertThat(published.getPublished().getInputLimitsList()).singleElement()
                .satisfies(l -> assertThat(l.getMaxShapeList()).containsExactly(4L, 64L));
        assertThat(published.getModel().getLatestVersion()).isEqualTo("2");
        assertThat(published.getModel().getVersions(0).getMaxBatch()).as("version 1: the default").isEqualTo(256);

        // A batch over max_batch is refused before it becomes a job; within it, the job runs.
        assertRefused(clients.verdict().submit(submit(MODEL + "@2", DemoModels.sampleInput(DemoModels.Kind.MLP, 5, 900))),
                Status.Code.INVALID_ARGUMENT, MODEL + "@2", "batch of 5", "max_batch of 4");
        NamedTensors four = DemoModels.sampleInput(DemoModels.Kind.MLP, 4, 901);
        Job onTwo = await(clients.verdict().submit(submit(MODEL, four))).getJob();
        assertAgreed(onTwo, four, modelDir2);
        assertThat(onTwo.getModel().getVersion()).isEqualTo("2");

        // Retire version 1 over the API.
        RetireModelResponse retired = await(clients.verdict().retireModel(RetireModelRequest.newBuilder()
                .setModel(MODEL + "@1").setReason("superseded by 2").build()));
        assertThat(retired.getRetired().getState()).isEqualTo(ModelState.MODEL_STATE_RETIRED);
        assertThat(retired.getRetired().getRetireReason()).isEqualTo("superseded by 2");
        assertThat(retired.getRetired().hasRetiredAt()).isTrue();
        assertThat(retired.getModel().getLatestVersion()).isEqualTo("2");
        assertRefused(clients.verdict().retireModel(RetireModelRequest.newBuilder().setModel(MODEL + "@1").build()),
                Status.Code.FAILED_PRECONDITION, "already retired");
        assertRefused(clients.verdict().retireModel(RetireModelRequest.newBuilder().setModel(MODEL + "@9").build()),
                Status.Code.NOT_FOUND, "version 9");
        assertRefused(clients.verdict().retireModel(RetireModelRequest.newBuilder().setModel(MODEL).build()),
                Status.Code.INVALID_ARGUMENT, "name@version");

        // New jobs naming version 1, by name@version or by its digest, are refused...
        NamedTensors one = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, 902);
        assertRefused(clients.verdict().submit(submit(MODEL + "@1", one)), Status.Code.FAILED_PRECONDITION,
                "version 1", "retired", "superseded by 2");
        assertRefused(clients.verdict().submit(submit(modelDigest, one)), Status.Code.FAILED_PRECONDITION,
                MODEL + "@1", "retired");
        assertThat(await(clients.inference().modelReady(ModelReadyRequest.newBuilder()
                .setName(MODEL).setVersion("1").build())).getReady()).isFalse();
        assertThat(await(clients.inference().modelReady(ModelReadyRequest.newBuilder()
                .setName(MODEL).setVersion("2").build())).getReady()).isTrue();

        // ...past jobs and receipts stay, the bare name moves to version 2, and the history shows it.
        for (Map.Entry<String, String> job : agreedJobs.entrySet()) {
            assertThat(await(clients.verdict().getReceipt(GetReceiptRequest.newBuilder().setJobId(job.getKey())
                    .build())).getReceiptJson()).as("receipt of %s", job.getKey()).isEqualTo(job.getValue());
        }
        Job byName = await(clients.verdict().submit(submit(MODEL, one))).getJob();
        assertAgreed(byName, one, modelDir2);
        assertThat(byName.getModel().getVersion()).isEqualTo("2");
        assertThat(byName.getModel().getModelDigest()).isEqualTo(digest2);
        Model model = await(clients.verdict().getModel(GetModelRequest.newBuilder().setModel(modelDigest).build()))
                .getModel();
        assertThat(model.getName()).isEqualTo(MODEL);
        assertThat(model.getVersionsList()).extracting(ModelVersion::getVersion, ModelVersion::getState)
                .containsExactly(tuple("1", ModelState.MODEL_STATE_RETIRED), tuple("2", ModelState.MODEL_STATE_AVAILABLE));
        assertThat(model.getVersions(0).getRetireReason()).isEqualTo("superseded by 2");
    }

    // ---- helpers ----

    private static io.verdict.api.v1.InputLimit inputLimit(String name, long... maxShape) {
        return io.verdict.api.v1.InputLimit.newBuilder().setName(name)
                .addAllMaxShape(Arrays.stream(maxShape).boxed().toList()).build();
    }

    private static void copyDirectory(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static PublishModelHeader header() {
        return PublishModelHeader.newBuilder()
                .setName(MODEL)
                .setVersion("1")
                .setModelDigest(modelDigest)
                .setAgreementPolicy("EXACT")
                .setTotalSize(archive.length)
                .setFormat(ModelFormat.MODEL_FORMAT_TENSORFLOW_SAVED_MODEL)
                .build();
    }

    private static CompletionStage<PublishModelResponse> publish(List<PublishModelRequest> parts) {
        Source<PublishModelRequest, NotUsed> source = Source.from(parts);
        return clients.verdict().publishModel(source);
    }

    private static List<String> validators() {
        return await(clients.verdict().validatorInfo(ValidatorInfoRequest.getDefaultInstance())).getValidatorsList()
                .stream().map(io.verdict.api.v1.Validator::getAddress).toList();
    }

    /** A fresh job on the published model is agreed, verified and equal to a direct run. */
    private static void assertNodeStillServes(long seed) {
        NamedTensors inputs = DemoModels.sampleInput(DemoModels.Kind.MLP, 1, seed);
        SubmitResponse response = await(clients.verdict().submit(submit(MODEL, inputs)));
        assertThat(response.getExisting()).isFalse();
        assertAgreed(response.getJob(), inputs, modelDir);
    }

    /**
     * The job is AGREED on {@code inputs}; its receipt verifies offline; the receipt's output, and
     * the job's output tensors, are exactly what running the model in {@code dir} directly gives.
     */
    private static void assertAgreed(Job job, NamedTensors inputs, Path dir) {
        assertThat(job.getStatus()).as("status of %s (%s)", job.getJobId(), job.getFailureReason())
                .isEqualTo(JobStatus.JOB_STATUS_AGREED);
        assertThat(job.getVerdict().getOutcome()).isEqualTo(VerdictOutcome.VERDICT_OUTCOME_AGREED);
        assertThat(job.getInputDigest()).isEqualTo(inputs.digest().toString());
        Receipt receipt = verifiedReceipt(job.getReceiptJson());
        assertThat(receipt.jobId()).isEqualTo(job.getJobId());
        assertThat(receipt.attestation().inputDigest()).isEqualTo(inputs.digest().toString());
        assertThat(receipt.attestation().modelDigest()).isEqualTo(job.getModel().getModelDigest());
        assertThat(receipt.attestation().outputDigest()).isEqualTo(job.getOutputDigest());
        assertThat(receipt.attestation().policy()).isEqualTo("EXACT");
        assertThat(receipt.quorum()).isEqualTo(job.getQ());
        assertThat(receipt.signatures()).hasSizeGreaterThanOrEqualTo(job.getQ());

        NamedTensors direct = directRun(dir, inputs);
        byte[] output = Base64.getDecoder().decode(receipt.output());
        assertThat(output).as("receipt output vs. a direct run").isEqualTo(POLICY.canonicalise(direct).bytes());
        Tensor agreed = CanonicalEncoding.decodeNamedTensors(output).get(DemoModels.OUTPUT);
        Tensor expected = direct.get(DemoModels.OUTPUT);
        assertThat(agreed.shape()).isEqualTo(expected.shape());
        assertThat(agreed.toFloats()).containsExactly(expected.toFloats());
        assertThat(job.getOutputsList()).singleElement().satisfies(t -> {
            assertThat(t.getName()).isEqualTo(DemoModels.OUTPUT);
            assertThat(t.getShapeList()).containsExactly(
                    Arrays.stream(expected.shape().dims()).boxed().toArray(Long[]::new));
            assertThat(t.getData().toByteArray()).isEqualTo(expected.data());
        });
    }
}
