package io.verdict.api;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.verdict.api.kserve.GRPCInferenceService;
import io.verdict.api.kserve.GRPCInferenceServiceHandlerFactory;
import io.verdict.api.v1.VerdictService;
import io.verdict.api.v1.VerdictServiceHandlerFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.javadsl.ServerReflection;
import org.apache.pekko.grpc.javadsl.ServiceHandler;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.Materializer;

/**
 * Both services and server reflection, served by Pekko gRPC over plaintext HTTP/2 on a free
 * loopback port, in an actor system of its own.
 */
final class TestGrpcServer {
  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.http.server.enable-http2 = on
      pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
      pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
      pekko.loglevel = INFO
      """).withFallback(ConfigFactory.defaultApplication());

  final ActorSystem system;
  private final ServerBinding binding;

  private TestGrpcServer(ActorSystem system, ServerBinding binding) {
    this.system = system;
    this.binding = binding;
  }

  @SuppressWarnings("unchecked") // generic varargs of concatOrNotFound; the handlers are typed
  static TestGrpcServer start() throws Exception {
    ActorSystem system = ActorSystem.create("api-it", CONFIG);
    try {
      Function<HttpRequest, CompletionStage<HttpResponse>> handler =
          ServiceHandler.concatOrNotFound(
              GRPCInferenceServiceHandlerFactory.partial(
                  new EchoInferenceService(), GRPCInferenceService.name, system),
              VerdictServiceHandlerFactory.partial(
                  new FakeVerdictService(Materializer.matFromSystem(system)),
                  VerdictService.name, system),
              ServerReflection.create(
                  List.of(GRPCInferenceService.description, VerdictService.description), system));
      ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(handler)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new TestGrpcServer(system, binding);
    } catch (Exception e) {
      system.terminate();
      throw e;
    }
  }

  int port() {
    return binding.localAddress().getPort();
  }

  void stop() throws Exception {
    binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
