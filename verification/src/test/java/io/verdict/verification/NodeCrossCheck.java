package io.verdict.verification;

import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code src/test/js/crosscheck.mjs} under Node.js: one JSON document in on stdin, one out on
 * stdout. Fails the calling test (never skips) when node or the npm packages are missing, and
 * with the script's stderr when it fails.
 */
public final class NodeCrossCheck {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final Path JS_DIR = Path.of("src", "test", "js");

  private NodeCrossCheck() {}

  public static JsonNode run(String command, Object input) {
    if (!Files.isDirectory(JS_DIR.resolve("node_modules"))) {
      fail("npm packages missing in " + JS_DIR.toAbsolutePath() + ": the Maven build runs "
          + "'npm ci' there in generate-test-resources (do not build with -Dnpm.skip when "
          + "running tests)");
    }
    Process process;
    Path stderr;
    try {
      stderr = Files.createTempFile("crosscheck", ".stderr");
      process = new ProcessBuilder("node", "crosscheck.mjs", command)
          .directory(JS_DIR.toFile())
          .redirectError(stderr.toFile())
          .start();
    } catch (IOException e) {
      return fail("cannot start 'node' (Node.js 20+ must be on PATH for the ethers / "
          + "OpenZeppelin cross-check tests): " + e.getMessage());
    }
    try {
      try (OutputStream in = process.getOutputStream()) {
        in.write(JSON.writeValueAsBytes(input));
      }
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return fail("node crosscheck.mjs " + command + " timed out");
      }
      String err = Files.readString(stderr, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        return fail("node crosscheck.mjs " + command + " exited " + process.exitValue()
            + ":\n" + err);
      }
      return JSON.readTree(out);
    } catch (IOException e) {
      return fail("talking to node failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    } finally {
      try {
        Files.deleteIfExists(stderr);
      } catch (IOException ignored) {
        // a temp file left behind is harmless
      }
    }
  }
}
