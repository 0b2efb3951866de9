package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.VerdictServiceHandlerFactory;
import io.verdict.inference.model.ArtifactManifest;
import io.verdict.inference.model.ModelDigest;
import io.verdict.persistence.models.ModelStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a real gRPC server on a loopback port (Pekko gRPC, plaintext HTTP/2) that
 * implements VerdictService with answers canned by this test: every command end to end, error
 * statuses, the deadline, and the real {@code main} in a child JVM.
 */
class CliAgainstNodeIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ActorSystem system;
  private static ServerBinding binding;
  private static CannedVerdictService service;
  private static String target;

  @TempDir
  Path dir;

  @BeforeAll
  static void startServer() throws Exception {
    system = ActorSystem.create("cli-it", ConfigFactory.parseString("""
        pekko.http.server.enable-http2 = on
        pekko.loglevel = WARNING
        pekko.stdout-loglevel = OFF
        """).withFallback(ConfigFactory.load()));
    service = new CannedVerdictService(Materializer.matFromSystem(system));
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(VerdictServiceHandlerFactory.create(service, system))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    target = "127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (binding != null) {
      binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--target");
    all.add(target);
    return Run.of(all.toArray(String[]::new));
  }

  @Test
  void publishZipsStreamsInChunksAndTheNodeCanImportWhatItGot() throws Exception {
    Path model = dir.resolve("model");
    Files.createDirectories(model.resolve("variables"));
    byte[] big = new byte[700_000];
    new Random(7).nextBytes(big); // incompressible: several 256 KiB chunks
    Files.write(model.resolve("saved_model.pb"), big);
    Files.writeString(model.resolve("variables/variables.index"), "index");
    ModelDigest local = ArtifactManifest.scan(model).digest();

    Run run = cli("publish", model.toString(), "--name", "demo", "--version", "7",
        "--policy", "QUANTIZED(0.001)");

    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("published demo@7").contains("digest    " + local)
        .contains("policy    QUANTIZED(0.001)").contains("state     AVAILABLE");
    assertThat(run.err()).contains("zipped 2 files").contains("model digest " + local)
        .containsPattern("(?m)^uploaded \\d+\\.\\d KiB in \\d+\\.\\d s$")
        .doesNotContain("\r"); // stderr is not a terminal here: one final line, no bar

    var header = service.headers.get(service.headers.size() - 1);
    assertThat(header.getName()).isEqualTo("demo");
    assertThat(header.getModelDigest()).isEqualTo(local.toString());
    assertThat(header.getTotalSize()).isEqualTo(service.uploaded.length);
    assertThat(service.chunkSizes).hasSizeGreaterThanOrEqualTo(3)
        .allSatisfy(size -> assertThat(size).isLessThanOrEqualTo(PublishCommand.CHUNK_SIZE));

    // What arrived is a zip the node's model store accepts under the claimed digest.
    ModelStore store = new ModelStore(dir.resolve("store"));
    ModelStore.Imported imported = store.importZip(new ByteArrayInputStream(service.uploaded),
        local, ModelStore.Limits.DEFAULT);
    assertThat(imported.digest()).isEqualTo(local);
  }

  @Test
  void publishDrawsAProgressBarWhenStderrIsATerminal() throws Exception {
    Path model = Files.createDirectories(dir.resolve("small"));
    Files.write(model.resolve("weights.bin"), new byte[600_000]);
    System.setProperty("verdict.stderr.tty", "true");
    try {
      Run run = cli("publish", model.toString(), "--name", "tty", "--version", "1");
      assertThat(run.status()).as(run.toString()).isZero();
      assertThat(run.err()).contains("\ruploaded [").contains("100%");
    } finally {
      System.clearProperty("verdict.stderr.tty");
    }
  }

  @Test
  void publishSendsTheDeclaredLimitsAndShowsThem() throws Exception {
    Path model = Files.createDirectories(dir.resolve("limited"));
    Files.writeString(model.resolve("model.onnx"), "not really onnx");

    Run run = cli("publish", model.toString(), "--name", "limited", "--version", "3", "--format", "onnx",
        "--max-batch", "8", "--max-shape", "input=8x64", "--max-shape", "mask=8X1",
        "--max-input-bytes", "4k");

    assertThat(run.status()).as(run.toString()).isZero();
    var header = service.headers.get(service.headers.size() - 1);
    assertThat(header.getFormat()).isEqualTo(io.verdict.api.v1.ModelFormat.MODEL_FORMAT_ONNX);
    assertThat(header.getMaxBatch()).isEqualTo(8);
    assertThat(header.getMaxInputBytes()).isEqualTo(4096);
    assertThat(header.getInputLimitsList()).extracting(l -> l.getName() + "=" + l.getMaxShapeList())
        .containsExactly("input=[8, 64]", "mask=[8, 1]");
    assertThat(run.out()).contains("limits    batch <= 8, input <= 8x64, mask <= 8x1, inputs <= 4.0 KiB");

    // Without limit options the header asks for the defaults.
    Run plain = cli("publish", model.toString(), "--name", "plain", "--version", "1");
    assertThat(plain.status()).as(plain.toString()).isZero();
    var defaults = service.headers.get(service.headers.size() - 1);
    assertThat(defaults.getMaxBatch()).isZero();
    assertThat(defaults.getInputLimitsCount()).isZero();
    assertThat(defaults.getMaxInputBytes()).isZero();
  }

  @Test
  void modelsShowListsEveryVersionWithItsLimitsStateAndRetirement() throws Exception {
    Run show = cli("models", "show", "mlp");
    assertThat(show.status()).as(show.toString()).isZero();
    assertThat(show.out()).contains("model mlp  latest 2")
        .containsPattern("(?m)^1\\s+RETIRED\\s+tensorflow\\s+sha256:1{64}\\s+EXACT\\s+256\\s+-\\s+16\\.0 MiB\\s+"
            + "2026-01-01T00:00:00Z\\s+2026-01-02T00:00:00Z \\(superseded by 2\\)$")
        .containsPattern("(?m)^2\\s+AVAILABLE\\s+onnx\\s+sha256:2{64}\\s+QUANTIZED\\(0\\.001\\)\\s+8\\s+input=8x64\\s+"
            + "4\\.0 KiB\\s+2026-01-01T12:00:00Z\\s+-$");

    JsonNode json = JSON.readTree(cli("models", "show", "mlp", "--json").out());
    assertThat(json.get("latestVersion").asText()).isEqualTo("2");
    assertThat(json.get("versions").get(0).get("retireReason").asText()).isEqualTo("superseded by 2");
    assertThat(json.get("versions").get(1).get("format").asText()).isEqualTo("ONNX");
    assertThat(json.get("versions").get(1).at("/limits/maxShape/input").toString()).isEqualTo("[8,64]");
    assertThat(json.get("versions").get(1).at("/limits/maxBatch").asInt()).isEqualTo(8);

    Run missing = cli("models", "show", "nope");
    assertThat(missing.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(missing.err()).contains("NOT_FOUND").contains("nope");
  }

  @Test
  void modelsRetireSendsTheVersionAndReasonAndReportsRefusals() {
    Run retire = cli("models", "retire", "mlp@1", "--reason", "superseded by 2");
    assertThat(retire.status()).as(retire.toString()).isZero();
    assertThat(retire.out()).contains("retired   mlp@1").contains("reason    superseded by 2")
        .contains("at        2026-01-02T00:00:00Z").contains("latest    mlp@2");
    assertThat(service.retired).last().satisfies(r -> {
      assertThat(r.getModel()).isEqualTo("mlp@1");
      assertThat(r.getReason()).isEqualTo("superseded by 2");
    });

    Run again = cli("models", "retire", "mlp@1");
    assertThat(again.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(again.err()).contains("FAILED_PRECONDITION").contains("already retired");
    Run unknown = cli("models", "retire", "mlp@9");
    assertThat(unknown.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(unknown.err()).contains("NOT_FOUND");

    int calls = service.retired.size();
    Run bare = cli("models", "retire", "mlp");
    assertThat(bare.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.err()).contains("NAME@VERSION");
    assertThat(service.retired).as("nothing sent for a malformed reference").hasSize(calls);
  }

  @Test
  void validatorsListsTheSetWithNodesAndLiveness() throws Exception {
    Run table = cli("validators");
    assertThat(table.status()).as(table.toString()).isZero();
    assertThat(table.out()).contains("epoch 2, threshold 1, 2 member(s)")
        .containsPattern("(?m)^0xa{40}\\s+ACTIVE\\s+pekko://verdict@127\\.0\\.0\\.1:25520\\s+yes$")
        .containsPattern("(?m)^0xb{40}\\s+INACTIVE\\s+-\\s*$");

    JsonNode json = JSON.readTree(cli("validators", "--json").out());
    assertThat(json.get("epoch").asLong()).isEqualTo(2);
    assertThat(json.findValuesAsText("state")).containsExactly("ACTIVE", "INACTIVE");
    assertThat(json.findValuesAsText("hostedHere")).containsExactly("true", "false");
  }

  @Test
  void anchorShowsTheBacklogItsLagAndTheLastError() throws Exception {
    Run text = cli("anchor");
    assertThat(text.status()).as(text.toString()).isZero();
    assertThat(text.out())
        .contains("anchoring to 0x5FbDB2315678afecb367f032d93F642f64180aa3 on chain 31337")
        .contains("batches: 12 sealed, 9 anchored (4210 results); chain head 211")
        .contains("waiting: 3 batch(es), 1502 result(s), oldest sealed 41.3 s ago")
        .contains("last anchored: batch 9 in transaction 0x" + "12".repeat(32) + " (block 200)")
        .contains("failing (7 attempt(s)): sending the anchor transaction of batch 10 failed: "
            + "connection refused; next attempt in 30.0 s");

    JsonNode json = JSON.readTree(cli("anchor", "--json").out());
    assertThat(json.get("enabled").asBoolean()).isTrue();
    assertThat(json.get("lagMillis").asLong()).isEqualTo(41_300);
    assertThat(json.get("pendingResults").asLong()).isEqualTo(1502);
    assertThat(json.get("halted").asBoolean()).isFalse();
  }

  @Test
  void modelsFollowsEveryPage() throws Exception {
    Run table = cli("models");
    assertThat(table.status()).as(table.toString()).isZero();
    assertThat(table.out().lines().toList()).hasSize(3);
    assertThat(table.out()).startsWith("NAME")
        .containsPattern("(?m)^cnn\\s+1\\s+sha256:c{64}\\s+ARGMAX\\s+AVAILABLE\\s+1$")
        .containsPattern("(?m)^mlp\\s+2\\s+sha256:2{64}\\s+QUANTIZED\\(0\\.001\\)\\s+AVAILABLE\\s+2$");

    Run json = cli("models", "--json");
    JsonNode models = JSON.readTree(json.out());
    assertThat(models.findValuesAsText("name")).containsExactly("cnn", "mlp");
  }

  @Test
  void inferSubmitsTheTensorsPrintsTheVerdictAndSavesAVerifiableReceipt() throws Exception {
    Path input = Files.writeString(dir.resolve("input.json"),
        "{\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1, 4], \"data\": [0.5, 1, 1.5, 2]}}");
    Path receipt = dir.resolve("out/receipt.json");

    Run run = cli("infer", "mlp@1", "--input", "@" + input, "--r", "3", "--q", "2",
        "--request-id", "req-42", "--receipt", receipt.toString());

    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out())
        .contains("job       " + CannedVerdictService.JOB_ID)
        .contains("verdict   AGREED  (2 of 3 validators signed the output, quorum 2)")
        .contains("output    " + service.receipt.attestation().outputDigest())
        .containsPattern("output  FLOAT32 \\[1,10\\]  \\[0\\.0, 0\\.125, .*\\]  argmax 7")
        .contains(service.receipt.signatures().get(0).validator() + "  agrees");
    assertThat(run.err()).contains("receipt written to " + receipt);

    SubmitRequest sent = service.submitted.get(service.submitted.size() - 1);
    assertThat(sent.getModel()).isEqualTo("mlp@1");
    assertThat(sent.getR()).isEqualTo(3);
    assertThat(sent.getQ()).isEqualTo(2);
    assertThat(sent.getClientRequestId()).isEqualTo("req-42");
    assertThat(sent.getInputs(0).getName()).isEqualTo("input");
    assertThat(sent.getInputs(0).getShapeList()).containsExactly(1L, 4L);
    assertThat(sent.getInputs(0).getData().size()).isEqualTo(16);
    assertThat(sent.getTimeout().getSeconds()).isBetween(1L, 29L); // answers before our deadline

    Run verify = Run.of("verify", receipt.toString());
    assertThat(verify.status()).as(verify.toString()).isZero();
    assertThat(verify.out()).startsWith("receipt OK: job " + CannedVerdictService.JOB_ID);
  }

  @Test
  void inferJsonOutputCarriesValuesAndArgmax() throws Exception {
    Run run = cli("--json", "infer", "cnn",
        "--input", "{\"input\": {\"dtype\": \"FLOAT32\", \"shape\": [1], \"data\": [1]}}");
    assertThat(run.status()).as(run.toString()).isZero();
    JsonNode job = JSON.readTree(run.out());
    assertThat(job.get("status").asText()).isEqualTo("AGREED");
    assertThat(job.get("outputs").get(0).get("data")).hasSize(10);
    assertThat(job.get("outputs").get(0).get("argmax").get(0).asInt()).isEqualTo(7);
    assertThat(job.get("verdict").get("votes")).hasSize(2);
  }

  @Test
  void errorStatusesBecomeAnErrorLineAndExitStatus3() {
    Run missing = cli("infer", "missing",
        "--input", "{\"x\": {\"dtype\": \"INT32\", \"shape\": [], \"data\": [1]}}");
    assertThat(missing.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(missing.out()).isEmpty();
    assertThat(missing.err()).isEqualTo("error: NOT_FOUND: model 'missing' is not published"
        + System.lineSeparator());

    Run receipt = cli("receipt", "0xdead");
    assertThat(receipt.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(receipt.err()).contains("error: NOT_FOUND: no job 0xdead");
  }

  @Test
  void theTimeoutIsTheDeadlineOfTheCall() {
    long started = System.nanoTime();
    Run run = cli("infer", "hang", "--timeout", "1.5",
        "--input", "{\"x\": {\"dtype\": \"INT32\", \"shape\": [], \"data\": [1]}}");
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

    assertThat(run.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(run.err()).startsWith("error: DEADLINE_EXCEEDED: no answer from " + target + " within 1.5 s");
    assertThat(seconds).isLessThan(15);
  }

  @Test
  void aJobThatIsNotFinalYetExitsWith4AndSaysHowToFollowIt() {
    Run run = cli("infer", "slow",
        "--input", "{\"x\": {\"dtype\": \"INT32\", \"shape\": [], \"data\": [1]}}");
    assertThat(run.status()).isEqualTo(ExitCodes.NOT_FINAL);
    assertThat(run.out()).contains("verdict   EXECUTING");
    assertThat(run.err()).contains("verdict job " + CannedVerdictService.JOB_ID + " --watch");
  }

  @Test
  void jobShowsHistoryAndWatchStreamsItUntilFinal() {
    Run job = cli("job", CannedVerdictService.JOB_ID);
    assertThat(job.status()).as(job.toString()).isZero();
    assertThat(job.out()).contains("events")
        .containsPattern("(?m)^\\s+1  -  ACCEPTED  job accepted$")
        .containsPattern("(?m)^\\s+4  -  QUORUM_REACHED  2 of 3 agreed$");

    Run watch = cli("job", CannedVerdictService.JOB_ID, "--watch");
    assertThat(watch.status()).as(watch.toString()).isZero();
    List<String> lines = watch.out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("job " + CannedVerdictService.JOB_ID + " is ACCEPTED");
    assertThat(lines.get(4)).endsWith("QUORUM_REACHED  2 of 3 agreed  -> AGREED");
  }

  @Test
  void receiptToAFileAndToStdout() throws Exception {
    Path file = dir.resolve("r.json");
    Run toFile = cli("receipt", CannedVerdictService.JOB_ID, "--out", file.toString());
    assertThat(toFile.status()).as(toFile.toString()).isZero();
    assertThat(toFile.out()).contains("not anchored yet").contains("written to " + file);
    assertThat(Run.of("verify", file.toString()).status()).isZero();

    Run toStdout = cli("receipt", CannedVerdictService.JOB_ID);
    assertThat(JSON.readTree(toStdout.out()).get("jobId").asText())
        .isEqualTo(CannedVerdictService.JOB_ID);
  }

  @Test
  void anUnreachableNodeIsUnavailable() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run run = Run.of("models", "--target", "127.0.0.1:" + closed, "--timeout", "5");
    assertThat(run.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(run.err()).startsWith("error: UNAVAILABLE: cannot reach a node at 127.0.0.1:" + closed)
        .contains("./verdict up");
  }

  @Test
  void realProcessKeepsStdoutCleanAndExitsWithTheStatus() throws Exception {
    Process ok = java("--json", "models", "--target", target);
    String out = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ok.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(ok.exitValue()).as(out).isZero();
    assertThat(JSON.readTree(out).findValuesAsText("name")).containsExactly("cnn", "mlp");

    Process failing = java("infer", "missing", "--target", target, "--input",
        "{\"x\": {\"dtype\": \"INT32\", \"shape\": [], \"data\": [1]}}");
    String err = new String(failing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failing.exitValue()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(err.strip()).isEqualTo("error: NOT_FOUND: model 'missing' is not published");
  }

  private Process java(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), VerdictCli.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.PIPE).start();
  }
}
