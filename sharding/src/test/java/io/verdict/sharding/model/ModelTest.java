package io.verdict.sharding.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.verdict.inference.agreement.AgreementPolicy;
import io.verdict.inference.model.ModelDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModelTest {

    private static final String D1 = "sha256:" + "11".repeat(32);
    private static final String D2 = "sha256:" + "22".repeat(32);
    private static final String D3 = "sha256:" + "33".repeat(32);

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("model-test",
                EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    /** A clock that moves one second per reading. */
    static final class StepClock extends Clock {
        private long millis = 1_700_000_000_000L;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public synchronized Instant instant() {
            millis += 1000;
            return Instant.ofEpochMilli(millis);
        }
    }

    private EventSourcedBehaviorTestKit<Model.Command, Model.Event, Model.State> kit;

    private EventSourcedBehaviorTestKit<Model.Command, Model.Event, Model.State> kit(String name) {
        ModelSettings settings = new ModelSettings(2, Duration.ofMillis(100), Duration.ofSeconds(1));
        kit = EventSourcedBehaviorTestKit.create(testKit.system(), Model.create(name, settings, new StepClock()),
                EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
        return kit;
    }

    @AfterEach
    void clear() {
        if (kit != null) {
            kit.clear();
        }
    }

    static ModelVersionSpec spec(String version, String digest, String policy) {
        return new ModelVersionSpec(version, digest, "tensorflow", policy,
                List.of(new TensorSignature("input", "FLOAT32", "[-1,64]")),
                List.of(new TensorSignature("output", "FLOAT32", "[-1, 10]")), 123_456, "operator-1");
    }

    private StatusReply<ModelView> publish(ModelVersionSpec spec) {
        return kit.<StatusReply<ModelView>>runCommand(r -> new Model.Publish(spec, r)).reply();
    }

    private StatusReply<ModelView> retire(String version, String reason) {
        return kit.<StatusReply<ModelView>>runCommand(r -> new Model.Retire(version, reason, r)).reply();
    }

    private StatusReply<ResolvedModel> resolve(String version) {
        return kit.<StatusReply<ResolvedModel>>runCommand(r -> new Model.Resolve(version, r)).reply();
    }

    private ModelView get() {
        return kit.<ModelView>runCommand(Model.Get::new).reply();
    }

    private static String error(StatusReply<?> reply) {
        assertTrue(reply.isError(), "expected an error, got " + reply);
        return reply.getError().getMessage();
    }

    private void rejected(ModelVersionSpec spec, String expectedFragment) {
        var result = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Publish(spec, r));
        assertTrue(result.hasNoEvents(), "nothing persisted for " + spec);
        String msg = error(result.reply());
        assertTrue(msg.contains(expectedFragment), "'" + msg + "' should contain '" + expectedFragment + "'");
    }

    // --- publish --------------------------------------------------------------------------------

    @Test
    void publishPersistsTheNormalisedSpecAndRepliesWithTheModel() {
        kit("mlp");
        var result = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Publish(spec("1", D1, "EXACT"), r));
        Model.VersionPublished event = result.eventOfType(Model.VersionPublished.class);
        assertEquals("mlp", event.model());
        assertEquals("[-1, 64]", event.spec().inputs().get(0).shape(), "shape spelled canonically");
        assertEquals(1_700_000_001_000L, event.publishedAt());

        ModelView view = result.reply().getValue();
        assertEquals("mlp", view.name());
        assertEquals("1", view.latest());
        assertEquals(1, view.versions().size());
        ModelVersion v = view.versions().get(0);
        assertEquals(VersionStatus.ACTIVE, v.status());
        assertEquals(D1, v.modelDigest());
        assertEquals("EXACT", v.spec().agreementPolicy());
        assertEquals("operator-1", v.spec().publishedBy());
        assertEquals(123_456, v.spec().sizeBytes());
        assertNull(v.retiredAt());
        assertEquals(view, get());
    }

    @Test
    void aPublishedVersionIsImmutableEvenWithTheSameDigest() {
        kit("mlp");
        assertTrue(publish(spec("1", D1, "EXACT")).isSuccess());
        rejected(spec("1", D1, "EXACT"),
                "version 1 of model mlp is already published (" + D1 + "); versions are immutable");
        rejected(spec("1", D2, "ARGMAX"), "version 1 of model mlp is already published (" + D1 + ")");
        assertEquals(1, get().versions().size());
    }

    @Test
    void aRetiredVersionCannotBeRepublished() {
        kit("mlp");
        publish(spec("1", D1, "EXACT"));
        assertTrue(retire("1", "bad weights").isSuccess());
        rejected(spec("1", D2, "EXACT"), "version 1 of model mlp cannot be republished: it was published (" + D1
                + ") and is retired");
    }

    @Test
    void invalidSpecsAreRejectedWithTheReason() {
        kit("mlp");
        rejected(spec("1/2", D1, "EXACT"), "invalid model version '1/2'");
        rejected(spec("-1", D1, "EXACT"), "invalid model version");
        rejected(spec("1", D1, "QUANTIZED(0.0010)"), "not an agreement policy");
        rejected(spec("1", D1, "exact"), "not an agreement policy");
        rejected(spec("1", D1, "TOPK(20)"), "needs at least 20 classes");
        rejected(spec("1", "sha256:ABC", "EXACT"), "invalid model digest");
        ModelVersionSpec ok = spec("1", D1, "EXACT");
        rejected(new ModelVersionSpec("1", D1, "onnx", "EXACT", ok.inputs(), ok.outputs(), 1, "op"),
                "unsupported engine 'onnx'");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(), List.of(), 1, "op"),
                "at least one output");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(),
                List.of(new TensorSignature("output", "FLOAT16", "[1]")), 1, "op"), "unknown dtype 'FLOAT16'");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(),
                List.of(new TensorSignature("output", "FLOAT32", "(1,2)")), 1, "op"), "shape must look like");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(),
                List.of(new TensorSignature("output", "FLOAT32", "[-2]")), 1, "op"), "dimensions are >= 0");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(), ok.outputs(), 0, "op"),
                "sizeBytes must be positive");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(), ok.outputs(), 1, " "),
                "publishedBy");
        assertTrue(get().versions().isEmpty());
        assertTrue(publish(spec("1", D1, "QUANTIZED(0.001)")).isSuccess());
    }

    @Test
    void limitsArePersistedWithTheVersionAndCheckedAgainstItsInputs() {
        kit("mlp");
        ModelVersionSpec ok = spec("1", D1, "EXACT");
        rejected(new ModelVersionSpec("1", D1, "tensorflow", "EXACT", ok.inputs(), ok.outputs(), 1, "op",
                        new VersionLimits(0, List.of(new VersionLimits.InputLimit("pixels", List.of(4L, 64L))), 0)),
                "cannot publish version 1 of model mlp: mismatched signature");
        VersionLimits limits = new VersionLimits(16, List.of(new VersionLimits.InputLimit("input", List.of(8L, 64L))),
                2048);
        var result = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Publish(
                new ModelVersionSpec("1", D1, "onnxruntime", "EXACT", ok.inputs(), ok.outputs(), 1, "op", limits), r));
        assertEquals(limits, result.eventOfType(Model.VersionPublished.class).spec().limits());
        assertEquals(limits, resolve("1").getValue().limits());
        assertEquals("onnxruntime", resolve("1").getValue().spec().engine());
        assertEquals(limits, kit.restart().state().versions().get(0).spec().limits());
    }

    @Test
    void aRetireReasonIsBounded() {
        kit("mlp");
        publish(spec("1", D1, "EXACT"));
        var result = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Retire("1", "x".repeat(1025), r));
        assertTrue(result.hasNoEvents());
        assertTrue(error(result.reply()).contains("at most 1024"));
        assertTrue(retire("1", "x".repeat(1024)).isSuccess());
    }

    @Test
    void anInvalidModelNameIsRejected() {
        kit("Bad Name");
        rejected(spec("1", D1, "EXACT"), "invalid model name 'Bad Name'");
        assertTrue(error(resolve(null)).contains("invalid model name"));
        assertTrue(error(retire("1", "x")).contains("invalid model name"));
        assertTrue(get().versions().isEmpty());
    }

    @Test
    void namesAndVersionsFollowTheGrammar() {
        for (String ok : List.of("mlp", "a", "0", "resnet-50.v2_x", "a".repeat(63))) {
            assertTrue(ModelNames.nameProblem(ok).isEmpty(), ok);
        }
        for (String bad : List.of("", "-a", ".a", "Mlp", "a b", "a/b", "a".repeat(64))) {
            assertFalse(ModelNames.nameProblem(bad).isEmpty(), bad);
        }
        assertFalse(ModelNames.nameProblem(null).isEmpty());
        for (String ok : List.of("1", "v1.2.3-rc_1", "A", "9".repeat(32))) {
            assertTrue(ModelNames.versionProblem(ok).isEmpty(), ok);
        }
        for (String bad : List.of("", ".1", "_1", "1 2", "1/2", "9".repeat(33))) {
            assertFalse(ModelNames.versionProblem(bad).isEmpty(), bad);
        }
    }

    // --- retire ---------------------------------------------------------------------------------

    @Test
    void retireMarksTheVersionAndMovesLatest() {
        kit("mlp");
        publish(spec("1", D1, "EXACT"));
        publish(spec("2", D2, "EXACT"));
        assertEquals("2", get().latest());

        var result = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Retire("2", " drifted ", r));
        Model.VersionRetired event = result.eventOfType(Model.VersionRetired.class);
        assertEquals(new Model.VersionRetired("mlp", "2", "drifted", event.retiredAt()), event);
        ModelView view = result.reply().getValue();
        assertEquals("1", view.latest());
        ModelVersion v2 = view.versions().get(1);
        assertEquals(VersionStatus.RETIRED, v2.status());
        assertEquals("drifted", v2.retireReason());
        assertTrue(v2.retiredAt() > v2.publishedAt());
        assertEquals(List.of("1", "2"), view.versions().stream().map(ModelVersion::version).toList());
    }

    @Test
    void retireRejectsUnknownAndAlreadyRetiredVersions() {
        kit("mlp");
        assertEquals("model mlp has no version 1", error(retire("1", "x")));
        publish(spec("1", D1, "EXACT"));
        assertEquals("model mlp has no version 7", error(retire("7", "x")));
        assertTrue(retire("1", "x").isSuccess());
        var again = kit.<StatusReply<ModelView>>runCommand(r -> new Model.Retire("1", "y", r));
        assertTrue(again.hasNoEvents());
        assertEquals("version 1 of model mlp is already retired", error(again.reply()));
    }

    // --- resolve --------------------------------------------------------------------------------

    @Test
    void resolveFindsTheLatestActiveOrTheNamedVersion() {
        kit("mlp");
        assertEquals("model mlp has no published versions", error(resolve(null)));
        publish(spec("1", D1, "EXACT"));
        publish(spec("2", D2, "ARGMAX"));
        publish(spec("3", D3, "TOPK(3)"));
        assertEquals("3", resolve(null).getValue().version());
        ResolvedModel one = resolve("1").getValue();
        assertEquals("mlp", one.name());
        assertEquals(ModelDigest.parse(D1), one.digest());
        assertEquals(AgreementPolicy.EXACT, one.policy());
        assertTrue(one.signature().inputs().containsKey("input"));
        assertEquals("model mlp has no version 7", error(resolve("7")));

        retire("3", "wrong labels");
        assertEquals("2", resolve(null).getValue().version(), "latest skips retired versions");
        assertEquals("version 3 of model mlp is retired: wrong labels", error(resolve("3")));
        retire("2", "");
        assertEquals("version 2 of model mlp is retired", error(resolve("2")));
        retire("1", "old");
        assertEquals("model mlp has no active version (all 3 are retired)", error(resolve(null)));
        assertNull(get().latest());
        assertTrue(error(resolve("not valid!")).contains("invalid model version"));
    }

    @Test
    void anActiveVersionPublishedBeforeARetiredOneBecomesLatest() {
        kit("mlp");
        publish(spec("a", D1, "EXACT"));
        publish(spec("b", D2, "EXACT"));
        publish(spec("c", D3, "EXACT"));
        retire("c", "x");
        retire("b", "x");
        assertEquals("a", get().latest());
        assertEquals("a", resolve(null).getValue().version());
    }

    // --- recovery -------------------------------------------------------------------------------

    @Test
    void stateIsRecoveredAfterRestart() {
        kit("mlp");
        publish(spec("1", D1, "EXACT"));
        publish(spec("2", D2, "QUANTIZED(0.25)"));
        retire("1", "superseded");
        publish(spec("3", D3, "ARGMAX"));
        retire("3", "broken");
        Model.State before = kit.getState();
        ModelView view = get();

        var restarted = kit.restart();
        assertEquals(before, restarted.state());
        assertEquals(view, get());
        assertEquals("2", get().latest());
        assertTrue(error(publish(spec("3", D1, "EXACT"))).contains("cannot be republished"));
    }
}
