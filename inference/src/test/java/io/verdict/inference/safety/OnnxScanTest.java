package io.verdict.inference.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.verdict.inference.demo.DemoModelFixture;
import io.verdict.inference.demo.DemoModels.Format;
import io.verdict.inference.demo.DemoModels.Kind;
import io.verdict.inference.onnx.OnnxElementType;
import io.verdict.inference.onnx.OnnxGraphBuilder;
import io.verdict.inference.onnx.OnnxModelBuilder;
import io.verdict.inference.onnx.OnnxModelFile;
import io.verdict.inference.onnx.OnnxTensorValue;
import io.verdict.inference.onnx.OnnxTestModels;
import io.verdict.inference.safety.UnsafeModel.Reason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OnnxScanTest {

    @TempDir
    Path tmp;

    private static UnsafeModel refused(Path dir, Reason reason, String... named) {
        return refused(dir, OnnxModelFile.Limits.defaults(), reason, named);
    }

    /** Asserts that the scan refuses {@code dir} for {@code reason} with a message naming each of {@code named}. */
    private static UnsafeModel refused(Path dir, OnnxModelFile.Limits limits, Reason reason, String... named) {
        Throwable thrown = catchThrowable(() -> OnnxScan.scan(dir, limits));
        assertThat(thrown).isInstanceOf(UnsafeModel.class);
        UnsafeModel e = (UnsafeModel) thrown;
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).contains(named);
        return e;
    }

    private Path write(String name, OnnxModelBuilder model) {
        return OnnxTestModels.write(tmp.resolve(name), model);
    }

    /** A model whose Relu graph also holds an initializer {@code w} with external data at {@code location}. */
    private Path withExternal(String name, String location) {
        OnnxGraphBuilder g = OnnxTestModels.relu()
                .initializer(OnnxTensorValue.external("w", OnnxElementType.FLOAT, new long[] {3}, location));
        return write(name, OnnxTestModels.model(g));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void theDemoModelsPass(Kind kind) {
        assertThatCode(() -> OnnxScan.scan(DemoModelFixture.dir(kind, Format.ONNX))).doesNotThrowAnyException();
    }

    @Test
    void aNodeInACustomDomainIsRefusedNamingDomainAndNode() {
        OnnxGraphBuilder g = OnnxTestModels.relu();
        g.node("Exec", List.of("input"), List.of("side")).name("pwn").domain("com.example.evil");
        UnsafeModel e = refused(write("m", OnnxTestModels.model(g)), Reason.CUSTOM_DOMAIN, "com.example.evil", "'pwn'");
        assertThat(e.subject()).isEqualTo("com.example.evil");
        assertThat(e.getMessage()).contains("custom domain");
    }

    @Test
    void aCustomOpsetImportIsRefusedNamingTheDomain() {
        refused(write("m", OnnxTestModels.model(OnnxTestModels.relu()).opset("com.microsoft", 1)),
                Reason.CUSTOM_DOMAIN, "com.microsoft", "opset_import");
    }

    @Test
    void theStandardDomainsMayBeImported() {
        Path ok = write("m", OnnxTestModels.model(OnnxTestModels.relu()).opset("ai.onnx.ml", 3).opset("ai.onnx", 13));
        assertThatCode(() -> OnnxScan.scan(ok)).doesNotThrowAnyException();
    }

    @Test
    void aLocalFunctionIsRefusedNamingIt() {
        refused(write("m", OnnxTestModels.model(OnnxTestModels.relu()).function("local.fn", "MyOp")),
                Reason.LOCAL_FUNCTION, "MyOp", "local function");
    }

    @Test
    void anOpOffTheAllowListIsRefusedNamingOpAndNode() {
        OnnxGraphBuilder g = OnnxTestModels.relu();
        g.node("ReadFile", List.of("input"), List.of("contents")).name("leak");
        refused(write("m", OnnxTestModels.model(g)), Reason.UNKNOWN_OP, "'ReadFile'", "'leak'", "unknown op");

        OnnxGraphBuilder ml = OnnxTestModels.relu();
        ml.node("Relu", List.of("input"), List.of("r")).name("wrong_domain").domain("ai.onnx.ml");
        refused(write("ml", OnnxTestModels.model(ml)), Reason.UNKNOWN_OP, "'Relu'", "wrong_domain", "ai.onnx.ml");
    }

    @Test
    void randomNumberOpsAreRefusedByName() {
        OnnxGraphBuilder g = OnnxTestModels.relu();
        g.node("RandomUniformLike", List.of("input"), List.of("noise")).name("noise");
        refused(write("m", OnnxTestModels.model(g)), Reason.DISALLOWED_OP, "RandomUniformLike", "'noise'");
    }

    @Test
    void aDisallowedOpInANestedSubgraphIsFound() {
        OnnxGraphBuilder leaky = new OnnxGraphBuilder("leaky").output("y", OnnxElementType.FLOAT, 3);
        leaky.node("ReadFile", List.of("input"), List.of("y")).name("leak");
        OnnxGraphBuilder clean = new OnnxGraphBuilder("clean").output("y", OnnxElementType.FLOAT, 3);
        clean.node("Identity", List.of("input"), List.of("y")).name("pass");
        OnnxGraphBuilder inner = new OnnxGraphBuilder("inner").output("z", OnnxElementType.FLOAT, 3);
        inner.node("If", List.of("cond"), List.of("z")).name("inner_if").attr("then_branch", clean).attr("else_branch", leaky);
        OnnxGraphBuilder g = new OnnxGraphBuilder("main")
                .input("input", OnnxElementType.FLOAT, 3)
                .input("cond", OnnxElementType.BOOL)
                .output("output", OnnxElementType.FLOAT, 3);
        g.node("If", List.of("cond"), List.of("output")).name("outer_if").attr("then_branch", inner).attr("else_branch", clean);
        refused(write("m", OnnxTestModels.model(g)), Reason.UNKNOWN_OP, "'ReadFile'", "outer_if/inner_if/leak");

        // The same through a GRAPHS attribute.
        OnnxGraphBuilder viaGraphs = new OnnxGraphBuilder("main")
                .input("input", OnnxElementType.FLOAT, 3)
                .output("output", OnnxElementType.FLOAT, 3);
        viaGraphs.node("Identity", List.of("input"), List.of("output")).name("carrier").graphs("bodies", clean, leaky);
        refused(write("graphs", OnnxTestModels.model(viaGraphs)), Reason.UNKNOWN_OP, "carrier/leak");
    }

    @Test
    void subgraphsNestedTooDeeplyAreTooLarge() {
        OnnxGraphBuilder leaf = new OnnxGraphBuilder("leaf").output("y", OnnxElementType.FLOAT, 1);
        leaf.node("Identity", List.of("x"), List.of("y")).name("leaf");
        OnnxGraphBuilder g = leaf;
        for (int level = 1; level <= 20; level++) {
            OnnxGraphBuilder outer = new OnnxGraphBuilder("level" + level).output("y", OnnxElementType.FLOAT, 1);
            outer.node("If", List.of("c"), List.of("y")).name("if" + level).attr("then_branch", g).attr("else_branch", leaf);
            g = outer;
        }
        g.input("x", OnnxElementType.FLOAT, 1).input("c", OnnxElementType.BOOL);
        refused(write("m", OnnxTestModels.model(g)), Reason.TOO_LARGE, "if20/if19", "deeper than 16");
    }

    @Test
    void moreNodesThanTheLimitAreTooLarge() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("chain").input("x0", OnnxElementType.FLOAT, 1);
        for (int i = 0; i < 11; i++) {
            g.node("Relu", List.of("x" + i), List.of("x" + (i + 1))).name("r" + i);
        }
        g.output("x11", OnnxElementType.FLOAT, 1);
        Path dir = write("m", OnnxTestModels.model(g));
        assertThatCode(() -> OnnxScan.scan(dir)).doesNotThrowAnyException();
        refused(dir, new OnnxModelFile.Limits(Integer.MAX_VALUE, 10, 16, 1024, 1_000_000), Reason.TOO_LARGE, "10 nodes");
    }

    @Test
    void externalDataThatLeavesTheDirectoryIsRefusedNamingTensorAndPath() throws Exception {
        Files.write(tmp.resolve("x"), new byte[12]);
        refused(withExternal("dotdot", "../x"), Reason.EXTERNAL_DATA, "'w'", "'../x'");
        refused(withExternal("absolute", "/etc/passwd"), Reason.EXTERNAL_DATA, "'w'", "'/etc/passwd'");
        refused(withExternal("drive", "C:\\weights.bin"), Reason.EXTERNAL_DATA, "'w'", "C:\\weights.bin");
        refused(withExternal("inner-dotdot", "sub/../../x"), Reason.EXTERNAL_DATA, "'w'", "sub/../../x");
        // ONNX Runtime reads this location as a raw memory address.
        refused(withExternal("memory", "*/_ORT_MEM_ADDR_/*"), Reason.EXTERNAL_DATA, "'w'", "_ORT_MEM_ADDR_");
        refused(withExternal("missing", "absent.bin"), Reason.EXTERNAL_DATA, "'w'", "absent.bin", "not a regular file");
    }

    @Test
    void externalDataThroughASymbolicLinkIsRefused() throws Exception {
        Path outside = Files.write(tmp.resolve("secret.bin"), new byte[12]);
        Path file = withExternal("file-link", "w.bin");
        Files.createSymbolicLink(file.resolve("w.bin"), outside);
        refused(file, Reason.EXTERNAL_DATA, "'w'", "w.bin", "symbolic link");

        Path outsideDir = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.write(outsideDir.resolve("w.bin"), new byte[12]);
        Path dir = withExternal("dir-link", "data/w.bin");
        Files.createSymbolicLink(dir.resolve("data"), outsideDir);
        refused(dir, Reason.EXTERNAL_DATA, "'w'", "data/w.bin", "symbolic link 'data'");
    }

    @Test
    void externalDataInsideTheDirectoryPassesButNotPastTheEndOfItsFile() throws Exception {
        Path ok = withExternal("ok", "weights/w.bin");
        Files.createDirectories(ok.resolve("weights"));
        Files.write(ok.resolve("weights/w.bin"), new byte[12]);
        assertThatCode(() -> OnnxScan.scan(ok)).doesNotThrowAnyException();
        Files.write(ok.resolve("weights/w.bin"), new byte[0]);
        assertThatCode(() -> OnnxScan.scan(ok)).doesNotThrowAnyException();
    }

    @Test
    void externalDataInAConstantAttributeIsCheckedToo() {
        OnnxGraphBuilder g = new OnnxGraphBuilder("const").output("c", OnnxElementType.FLOAT, 3);
        g.node("Constant", List.of(), List.of("c")).name("k")
                .attr("value", OnnxTensorValue.external("kvalue", OnnxElementType.FLOAT, new long[] {3}, "../../etc/shadow"));
        refused(write("m", OnnxTestModels.model(g)), Reason.EXTERNAL_DATA, "'kvalue'", "'k'", "../../etc/shadow");
    }

    @Test
    void anOutputNothingProducesIsASignatureMismatch() {
        OnnxGraphBuilder g = OnnxTestModels.relu().output("ghost", OnnxElementType.FLOAT, 1);
        refused(write("m", OnnxTestModels.model(g)), Reason.SIGNATURE_MISMATCH, "'ghost'");

        OnnxGraphBuilder none = new OnnxGraphBuilder("none").input("input", OnnxElementType.FLOAT, 1);
        refused(write("none", OnnxTestModels.model(none)), Reason.SIGNATURE_MISMATCH, "no outputs");
    }

    @Test
    void anInputOfUnknownRankIsASignatureMismatchButScalarsAndSymbolicDimensionsPass() {
        OnnxGraphBuilder unranked = new OnnxGraphBuilder("unranked")
                .inputOfUnknownRank("input", OnnxElementType.FLOAT)
                .output("output", OnnxElementType.FLOAT, -1, 3);
        unranked.node("Relu", List.of("input"), List.of("output")).name("relu");
        refused(write("unranked", OnnxTestModels.model(unranked)), Reason.SIGNATURE_MISMATCH, "'input'");

        OnnxGraphBuilder scalar = new OnnxGraphBuilder("scalar")
                .input("x", OnnxElementType.FLOAT)
                .output("y", OnnxElementType.FLOAT);
        scalar.node("Relu", List.of("x"), List.of("y")).name("relu");
        OnnxScan.scan(write("scalar", OnnxTestModels.model(scalar)));
        OnnxScan.scan(write("symbolic", OnnxTestModels.model(OnnxTestModels.relu())));
    }

    @Test
    void truncatedOrRandomBytesAreMalformed() throws Exception {
        byte[] cnn = Files.readAllBytes(DemoModelFixture.dir(Kind.CNN, Format.ONNX).resolve("model.onnx"));
        Path truncated = Files.createDirectories(tmp.resolve("truncated"));
        Files.write(truncated.resolve("model.onnx"), Arrays.copyOf(cnn, cnn.length / 2));
        refused(truncated, Reason.MALFORMED, "model.onnx");

        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20; i++) {
            byte[] noise = new byte[64 + rnd.nextInt(4096)];
            for (int j = 0; j < noise.length; j++) {
                noise[j] = (byte) rnd.nextInt(256);
            }
            Path random = Files.createDirectories(tmp.resolve("random" + i));
            Files.write(random.resolve("model.onnx"), noise);
            refused(random, Reason.MALFORMED, "model.onnx");
        }

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Files.write(empty.resolve("model.onnx"), new byte[0]);
        refused(empty, Reason.MALFORMED, "model.onnx", "no graph");
    }

    @Test
    void anArtifactWithoutModelOnnxIsTheWrongFormat() throws Exception {
        Path missing = Files.createDirectories(tmp.resolve("missing"));
        Files.write(missing.resolve("saved_model.pb"), new byte[1]);
        refused(missing, Reason.WRONG_FORMAT, "model.onnx");

        Path dirNotFile = Files.createDirectories(tmp.resolve("dir").resolve("model.onnx"));
        refused(dirNotFile.getParent(), Reason.WRONG_FORMAT, "model.onnx");

        refused(tmp.resolve("absent"), Reason.WRONG_FORMAT, "not a directory");

        Path link = Files.createDirectories(tmp.resolve("link"));
        Path real = write("real", OnnxTestModels.model(OnnxTestModels.relu())).resolve("model.onnx");
        Files.createSymbolicLink(link.resolve("model.onnx"), real);
        refused(link, Reason.WRONG_FORMAT, "model.onnx");
    }
}
