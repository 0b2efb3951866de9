package io.verdict.inference.tensorflow;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels;
import io.verdict.inference.demo.DemoModels.Kind;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same models and inputs, run in two separate child JVMs (started concurrently) and in this
 * one, give identical EXACT output digests, on TensorFlow and on ONNX Runtime.
 */
class CrossJvmDeterminismIT {

    private static final String CACHEDIR = "org.bytedeco.javacpp.cachedir";

    @Test
    void twoChildJvmsAndThisJvmAgree(@TempDir Path tmp) throws Exception {
        for (Kind kind : Kind.values()) {
            for (DemoModels.Format format : DemoModels.Format.values()) {
                DemoModelFixture.dir(kind, format);
            }
        }
        Path root = DemoModelFixture.ROOT.toAbsolutePath();
        List<String> inProcess = DigestPrinter.lines(root);

        List<Process> children = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("child-" + i + ".out");
            Path err = tmp.resolve("child-" + i + ".err");
            logs.add(out);
            children.add(childJvm(root).redirectOutput(out.toFile()).redirectError(err.toFile()).start());
        }
        List<List<String>> results = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            boolean done = p.waitFor(3, TimeUnit.MINUTES);
            if (!done) {
                p.destroyForcibly();
            }
            String stderr = Files.readString(tmp.resolve("child-" + i + ".err"), StandardCharsets.UTF_8);
            assertThat(done).as("child %d finished; stderr:%n%s", i, stderr).isTrue();
            assertThat(p.exitValue()).as("child %d exit code; stderr:%n%s", i, stderr).isZero();
            results.add(Files.readAllLines(logs.get(i), StandardCharsets.UTF_8).stream()
                    .filter(l -> l.matches("[a-z-]+ sha256:[0-9a-f]{64} sha256:[0-9a-f]{64}"))
                    .toList());
        }
        assertThat(inProcess).hasSize(Kind.values().length * DemoModels.Format.values().length);
        assertThat(results.get(0)).isEqualTo(inProcess);
        assertThat(results.get(1)).isEqualTo(inProcess);
    }

    private static ProcessBuilder childJvm(Path root) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        String cache = System.getProperty(CACHEDIR);
        if (cache != null) {
            cmd.add("-D" + CACHEDIR + "=" + cache);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), DigestPrinter.class.getName(), root.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
        pb.environment().putIfAbsent("ORT_DISABLE_TELEMETRY", "1");
        pb.directory(new File(System.getProperty("user.dir")));
        return pb;
    }
}
