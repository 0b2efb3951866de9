package io.verdict.cli;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.verdict.api.v1.AuditServiceClient;
import io.verdict.api.v1.AuditStatusRequest;
import io.verdict.api.v1.AuditStatusResponse;
import io.verdict.api.v1.GetJobRequest;
import io.verdict.api.v1.GetJobResponse;
import io.verdict.api.v1.GetReceiptRequest;
import io.verdict.api.v1.GetReceiptResponse;
import io.verdict.api.v1.ListJobsRequest;
import io.verdict.api.v1.ListJobsResponse;
import io.verdict.api.v1.ListModelsRequest;
import io.verdict.api.v1.ListModelsResponse;
import io.verdict.api.v1.ModelHistoryRequest;
import io.verdict.api.v1.ModelHistoryResponse;
import io.verdict.api.v1.PublishModelHeader;
import io.verdict.api.v1.PublishModelRequest;
import io.verdict.api.v1.PublishModelResponse;
import io.verdict.api.v1.SubmitRequest;
import io.verdict.api.v1.SubmitResponse;
import io.verdict.api.v1.VerdictServiceClient;
import io.verdict.api.v1.WatchJobRequest;
import io.verdict.api.v1.WatchJobResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The CLI's only door to a node: Verdict's gRPC services over plaintext HTTP/2, every call with
 * the {@code --timeout} deadline. Calls block and return the response; a failure becomes a
 * {@link NodeCallFailed} with the gRPC status code and the node's description. Protobuf and
 * Pekko types stay in this package.
 */
final class NodeClient implements AutoCloseable {
  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.loglevel = "ERROR"
      pekko.stdout-loglevel = "OFF"
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.log-dead-letters = off
      pekko.log-dead-letters-during-shutdown = off
      pekko.jvm-shutdown-hooks = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      """);

  /** Extra time to wait locally beyond the gRPC deadline before giving up on an answer. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private final Target target;
  private final Duration timeout;
  private final ActorSystem system;
  private final VerdictServiceClient client;
  private final AuditServiceClient audit;

  private NodeClient(Target target, Duration timeout, ActorSystem system,
                     VerdictServiceClient client, AuditServiceClient audit) {
    this.target = target;
    this.timeout = timeout;
    this.system = system;
    this.client = client;
    this.audit = audit;
  }

  static NodeClient connect(Target target, Duration timeout) {
    ActorSystem system = ActorSystem.create("verdict-cli",
        CONFIG.withFallback(ConfigFactory.load()));
    try {
      GrpcClientSettings settings = GrpcClientSettings
          .connectToServiceAt(target.host(), target.port(), system)
          .withTls(false)
          .withDeadline(timeout);
      return new NodeClient(target, timeout, system,
          VerdictServiceClient.create(settings, system), AuditServiceClient.create(settings, system));
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  ListModelsResponse listModels(String pageToken) {
    return await(client.listModels(ListModelsRequest.newBuilder()
        .setPageToken(pageToken).build()));
  }

  io.verdict.api.v1.GetModelResponse getModel(String model) {
    return await(client.getModel(io.verdict.api.v1.GetModelRequest.newBuilder().setModel(model).build()));
  }

  io.verdict.api.v1.RetireModelResponse retireModel(String model, String reason) {
    return await(client.retireModel(io.verdict.api.v1.RetireModelRequest.newBuilder()
        .setModel(model).setReason(reason).build()));
  }

  SubmitResponse submit(SubmitRequest request) {
    return await(client.submit(request));
  }

  GetJobResponse getJob(String jobId) {
    return await(client.getJob(GetJobRequest.newBuilder().setJobId(jobId).build()));
  }

  io.verdict.api.v1.AnchorStatusResponse anchorStatus() {
    return await(client.anchorStatus(io.verdict.api.v1.AnchorStatusRequest.getDefaultInstance()));
  }

  io.verdict.api.v1.ValidatorInfoResponse validatorInfo() {
    return await(client.validatorInfo(io.verdict.api.v1.ValidatorInfoRequest.getDefaultInstance()));
  }

  GetReceiptResponse getReceipt(String jobId) {
    return await(client.getReceipt(GetReceiptRequest.newBuilder().setJobId(jobId).build()));
  }

  ListJobsResponse listJobs(ListJobsRequest request) {
    return await(audit.listJobs(request));
  }

  ModelHistoryResponse modelHistory(String model) {
    return await(audit.modelHistory(ModelHistoryRequest.newBuilder().setModel(model).build()));
  }

  AuditStatusResponse auditStatus() {
    return await(audit.auditStatus(AuditStatusRequest.getDefaultInstance()));
  }

  /** Hands every view of the job to {@code onView} until the node completes the stream. */
  void watchJob(String jobId, Consumer<WatchJobResponse> onView) {
    await(client.watchJob(WatchJobRequest.newBuilder().setJobId(jobId).build())
        .runWith(Sink.foreach(onView::accept), Materializer.matFromSystem(system)));
  }

  /**
   * Streams {@code header} and then the bytes of {@code zip} in chunks of {@code chunkSize};
   * {@code onSent} hears the running byte count as chunks are handed to the transport.
   */
  PublishModelResponse publish(PublishModelHeader header, Path zip, int chunkSize,
                               LongConsumer onSent) {
    AtomicLong sent = new AtomicLong();
    Source<PublishModelRequest, NotUsed> chunks = FileIO.fromPath(zip, chunkSize)
        .map(bytes -> {
          onSent.accept(sent.addAndGet(bytes.size()));
          return PublishModelRequest.newBuilder()
              .setChunk(ByteString.copyFrom(bytes.toArrayUnsafe())).build();
        })
        .mapMaterializedValue(io -> NotUsed.getInstance());
    Source<PublishModelRequest, NotUsed> upload = Source.single(
        PublishModelRequest.newBuilder().setHeader(header).build()).concat(chunks);
    return await(client.publishModel(upload));
  }

  private <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture()
          .get(timeout.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | CompletionException e) {
      throw failure(e.getCause() == null ? e : e.getCause());
    } catch (TimeoutException e) {
      throw new NodeCallFailed("DEADLINE_EXCEEDED", "no answer from " + target + " within "
          + Durations.text(timeout), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NodeCallFailed("CANCELLED", "interrupted", e);
    }
  }

  private NodeCallFailed failure(Throwable t) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StatusRuntimeException sre) {
      Status status = sre.getStatus();
      String description = status.getDescription();
      if (status.getCode() == Status.Code.UNAVAILABLE) {
        description = "cannot reach a node at " + target
            + (description == null ? "" : " (" + description + ")")
            + "; is it running? Start one with: ./verdict up";
      } else if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        description = "no answer from " + target + " within " + Durations.text(timeout)
            + (description == null ? "" : " (" + description + ")");
      }
      return new NodeCallFailed(status.getCode().name(), description, sre);
    }
    return new NodeCallFailed("UNAVAILABLE", "cannot talk to a node at " + target + ": "
        + cause + "; is it running? Start one with: ./verdict up", cause);
  }

  @Override
  public void close() {
    try {
      client.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
      audit.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // closing after a failed call may fail again; nothing more to do
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        // the JVM exits anyway
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
