package io.verdict.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Timestamp;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.verdict.api.v1.AuditService;
import io.verdict.api.v1.AuditServiceHandlerFactory;
import io.verdict.api.v1.AuditStatusRequest;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.AuditedJob;
import io.verdict.api.v1.JobStatus;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ModelHistoryRequest;
import io.verdict.api.v1.ModelHistoryResponse;
import io.verdict.api.v1.ModelState;
import io.verdict.api.v1.ModelVersionRecord;
import io.verdict.api.v1.ModelVersionRef;
import io.verdict.api.v1.ProjectionProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code verdict audit ...} against a real gRPC server on loopback whose AuditService answers with
 * canned pages and records what it was asked: every option becomes the right filter, and the
 * answers are printed as tables or JSON.
 */
class AuditCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String JOB = "0x" + "ab".repeat(32);

  private static ActorSystem system;
  private static ServerBinding binding;
  private static String target;
  private static final AtomicReference<ListJobsRequest> lastList = new AtomicReference<>();

  @BeforeAll
  static void startServer() throws Exception {
    system = ActorSystem.create("audit-cli-it", ConfigFactory.parseString("""
        pekko.http.server.enable-http2 = on
        pekko.loglevel = WARNING
        pekko.stdout-loglevel = OFF
        """).withFallback(ConfigFactory.load()));
    binding = Http.get(system).newServerAt("127.0.0.1", 0)
        .bind(AuditServiceHandlerFactory.create(new Canned(), system))
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

  private static Timestamp ts(String iso) {
    Instant i = Instant.parse(iso);
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /** One agreed job, one failed; "more" on the first page only. */
  static final class Canned implements AuditService {
    @Override
    public CompletionStage<ListJobsResponse> listJobs(ListJobsRequest in) {
      lastList.set(in);
      if (in.getModel().equals("broken")) {
        return CompletableFuture.failedFuture(new GrpcServiceException(
            Status.UNAVAILABLE.withDescription("the audit store (cassandra) is unavailable; retry later")));
      }
      ListJobsResponse.Builder b = ListJobsResponse.newBuilder()
          .addJobs(AuditedJob.newBuilder().setJobId(JOB).setStatus(JobStatus.JOB_STATUS_AGREED)
              .setModel(ModelVersionRef.newBuilder().setName("mlp").setVersion("1")
                  .setModelDigest("sha256:" + "11".repeat(32)))
              .setAgreementPolicy("EXACT").setRequester("alice").setR(3).setQ(2)
              .setAcceptedAt(ts("2026-11-22T10:00:00Z")).setFinishedAt(ts("2026-11-22T10:00:01Z"))
              .setOutputDigest("sha256:" + "22".repeat(32)))
          .addJobs(AuditedJob.newBuilder().setJobId("0x" + "cd".repeat(32))
              .setStatus(JobStatus.JOB_STATUS_FAILED)
              .setModel(ModelVersionRef.newBuilder().setName("mlp").setVersion("1"))
              .setRequester("alice").setR(4).setQ(4).setAcceptedAt(ts("2026-11-22T09:00:00Z"))
              .setFailureReason("no validators available"));
      if (in.getPageToken().isEmpty()) {
        b.setNextPageToken("tok-2");
      }
      return CompletableFuture.completedFuture(b.build());
    }

    @Override
    public CompletionStage<ModelHistoryResponse> modelHistory(ModelHistoryRequest in) {
      if (!in.getModel().equals("mlp")) {
        return CompletableFuture.failedFuture(new GrpcServiceException(
            Status.NOT_FOUND.withDescription("the audit log has no version of model '" + in.getModel() + "'")));
      }
      return CompletableFuture.completedFuture(ModelHistoryResponse.newBuilder().setModel("mlp")
          .addVersions(ModelVersionRecord.newBuilder().setVersion("1").setModelDigest("sha256:" + "11".repeat(32))
              .setAgreementPolicy("EXACT").setEngine("tensorflow").setPublishedBy("ops")
              .setPublishedAt(ts("2026-11-01T08:00:00Z")).setState(ModelState.MODEL_STATE_RETIRED)
              .setRetiredAt(ts("2026-11-20T08:00:00Z")).setRetireReason("superseded"))
          .addVersions(ModelVersionRecord.newBuilder().setVersion("2").setModelDigest("sha256:" + "33".repeat(32))
              .setAgreementPolicy("ARGMAX").setEngine("tensorflow").setPublishedBy("ops")
              .setPublishedAt(ts("2026-11-19T08:00:00Z")).setState(ModelState.MODEL_STATE_AVAILABLE))
          .build());
    }

    @Override
    public CompletionStage<AuditStatusResponse> auditStatus(AuditStatusRequest in) {
      return CompletableFuture.completedFuture(AuditStatusResponse.newBuilder().setStore("h2")
          .addProjections(ProjectionProgress.newBuilder().setName("audit-jobs").setTag("verdict-job")
              .setOffset("42").setEventsHandled(42).setLastEventAt(ts("2026-11-22T10:00:01Z")))
          .build());
    }
  }

  @Test
  void jobsTurnsEveryOptionIntoItsFilterAndPrintsATable() {
    Run run = cli("audit", "jobs", "--model", "mlp", "--version", "1", "--requester", "alice",
        "--status", "failed", "--from", "2026-11-22", "--to", "2026-11-22T12:00:00+02:00", "--limit", "2");
    assertThat(run.status()).as(run.toString()).isZero();
    ListJobsRequest asked = lastList.get();
    assertThat(asked.getModel()).isEqualTo("mlp");
    assertThat(asked.getModelVersion()).isEqualTo("1");
    assertThat(asked.getRequester()).isEqualTo("alice");
    assertThat(asked.getStatus()).isEqualTo(JobStatus.JOB_STATUS_FAILED);
    assertThat(asked.getAcceptedFrom()).isEqualTo(ts("2026-11-22T00:00:00Z"));
    assertThat(asked.getAcceptedTo()).isEqualTo(ts("2026-11-22T10:00:00Z"));
    assertThat(asked.getPageSize()).isEqualTo(2);
    assertThat(asked.getPageToken()).isEmpty();

    assertThat(run.out()).contains("ACCEPTED", "JOB", "STATUS")
        .containsPattern("2026-11-22T10:00:00Z +" + JOB + " +mlp@1 +alice +AGREED +3/2 +sha256:" + "22".repeat(32))
        .containsPattern("2026-11-22T09:00:00Z +0x(cd){32} +mlp@1 +alice +FAILED +4/4 +no validators available")
        .contains("more: add --page tok-2");

    Run next = cli("audit", "jobs", "--status", "running", "--page", "tok-2");
    assertThat(next.status()).as(next.toString()).isZero();
    assertThat(lastList.get().getStatus()).isEqualTo(JobStatus.JOB_STATUS_ACCEPTED);
    assertThat(lastList.get().getPageToken()).isEqualTo("tok-2");
    assertThat(lastList.get().hasAcceptedFrom()).isFalse();
    assertThat(next.out()).doesNotContain("more:");
  }

  @Test
  void jobsAsJson() throws Exception {
    Run run = cli("audit", "jobs", "--json");
    assertThat(run.status()).as(run.toString()).isZero();
    JsonNode n = JSON.readTree(run.out());
    assertThat(n.get("jobs")).hasSize(2);
    assertThat(n.get("jobs").get(0).get("jobId").asText()).isEqualTo(JOB);
    assertThat(n.get("jobs").get(0).get("status").asText()).isEqualTo("AGREED");
    assertThat(n.get("jobs").get(0).get("model").get("name").asText()).isEqualTo("mlp");
    assertThat(n.get("jobs").get(1).get("failureReason").asText()).isEqualTo("no validators available");
    assertThat(n.get("nextPageToken").asText()).isEqualTo("tok-2");
  }

  @Test
  void badOptionsFailBeforeAnyCallAndNodeErrorsAreReported() {
    lastList.set(null);
    assertThat(cli("audit", "jobs", "--status", "EXECUTING").status()).isEqualTo(ExitCodes.USAGE);
    Run badTime = cli("audit", "jobs", "--from", "yesterday");
    assertThat(badTime.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(badTime.err()).contains("--from").contains("ISO-8601");
    assertThat(cli("audit", "jobs", "--limit", "0").status()).isEqualTo(ExitCodes.USAGE);
    assertThat(lastList.get()).isNull();

    Run down = cli("audit", "jobs", "--model", "broken");
    assertThat(down.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(down.err()).contains("UNAVAILABLE").contains("audit store");
  }

  @Test
  void modelHistoryAsTableAndJson() throws Exception {
    Run run = cli("audit", "model", "mlp");
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).startsWith("model mlp")
        .contains("1        2026-11-01T08:00:00Z  ops  sha256:" + "11".repeat(32)
            + "  EXACT   RETIRED    2026-11-20T08:00:00Z (superseded)")
        .contains("2        2026-11-19T08:00:00Z  ops  sha256:" + "33".repeat(32) + "  ARGMAX  AVAILABLE  -");

    JsonNode n = JSON.readTree(cli("audit", "model", "mlp", "--json").out());
    assertThat(n.get("versions")).hasSize(2);
    assertThat(n.get("versions").get(0).get("retireReason").asText()).isEqualTo("superseded");
    assertThat(n.get("versions").get(1).has("retiredAt")).isFalse();

    Run unknown = cli("audit", "model", "nope");
    assertThat(unknown.status()).isEqualTo(ExitCodes.NODE_ERROR);
    assertThat(unknown.err()).contains("NOT_FOUND").contains("nope");
  }

  @Test
  void statusShowsEachProjection() {
    Run run = cli("audit", "status");
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("store h2").contains("audit-jobs  verdict-job  42      2026-11-22T10:00:01Z  42");
  }
}
