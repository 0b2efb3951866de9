package io.verdict.api;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/js/kserve-client.mjs} (grpc-js + proto-loader) against a server and
 * returns the JSON it prints. Fails the calling test, never skips it, when node or the npm
 * packages are missing, and shows the script's stderr when it fails.
 */
final class NodeGrpcClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JS_DIR = Path.of("src", "test", "js");
  private static final Path PROTO_ROOT = Path.of("src", "main", "proto");
  private static final String REFLECTION_PROTO = "grpc/reflection/v1alpha/reflection.proto";

  private NodeGrpcClient() {}

  static JsonNode call(int port) {
    if (!Files.isDirectory(JS_DIR.resolve("node_modules"))) {
      fail("npm packages missing in " + JS_DIR.toAbsolutePath() + ": the Maven build runs "
          + "'npm ci' there in generate-test-resources (do not build with -Dnpm.skip when "
          + "running tests)");
    }
    Path reflectionRoot = reflectionProtoRoot();
    Path stderr = null;
    try {
      stderr = Files.createTempFile("kserve-client", ".stderr");
      Process process;
      try {
        process = new ProcessBuilder("node", "kserve-client.mjs", Integer.toString(port),
            PROTO_ROOT.toAbsolutePath().toString(), reflectionRoot.toString())
            .directory(JS_DIR.toFile())
            .redirectError(stderr.toFile())
            .start();
      } catch (IOException e) {
        return fail("cannot start 'node' (Node.js 20+ must be on PATH for the third-party "
            + "gRPC client test): " + e.getMessage());
      }
      process.getOutputStream().close();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return fail("node kserve-client.mjs timed out");
      }
      if (process.exitValue() != 0) {
        return fail("node kserve-client.mjs exited " + process.exitValue() + ":\n"
            + Files.readString(stderr, StandardCharsets.UTF_8));
      }
      return JSON.readTree(out);
    } catch (IOException e) {
      return fail("talking to node failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    } finally {
      if (stderr != null) {
        try {
          Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  /**
   * The reflection service's .proto ships inside pekko-grpc-runtime; copy it out so the Node
   * client can load it like any other .proto (it is not ours to vendor).
   */
  private static Path reflectionProtoRoot() {
    Path root = Path.of("target", "node-client-protos").toAbsolutePath();
    Path file = root.resolve(REFLECTION_PROTO);
    try (InputStream in = NodeGrpcClient.class.getClassLoader()
        .getResourceAsStream(REFLECTION_PROTO)) {
      if (in == null) {
        return fail(REFLECTION_PROTO + " not found on the test classpath (pekko-grpc-runtime)");
      }
      Files.createDirectories(file.getParent());
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      return root;
    } catch (IOException e) {
      return fail("cannot copy " + REFLECTION_PROTO + ": " + e);
    }
  }
}
