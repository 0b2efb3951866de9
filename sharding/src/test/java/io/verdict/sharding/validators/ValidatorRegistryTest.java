package io.verdict.sharding.validators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.verdict.sharding.validators.ValidatorRegistry.Current;
import io.verdict.verification.keys.ValidatorAddress;
import io.verdict.sharding.validators.ValidatorRegistry.EpochStarted;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ValidatorRegistryTest {
  private static final String A = ValidatorAddress.parse("0x" + "0a".repeat(20)).toString();
  private static final String B = ValidatorAddress.parse("0x" + "0b".repeat(20)).toString();
  private static final String C = ValidatorAddress.parse("0x" + "0c".repeat(20)).toString();

  private static ActorTestKit testKit;
  private EventSourcedBehaviorTestKit<ValidatorRegistry.Command, ValidatorRegistry.Event,
      ValidatorRegistry.State> registry;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("registry-test",
        EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    registry = EventSourcedBehaviorTestKit.create(testKit.system(), ValidatorRegistry.create());
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<ValidatorRegistry.Command,
      ValidatorRegistry.Event, ValidatorRegistry.State, Current> register(String node,
                                                                           int threshold,
                                                                           String... validators) {
    return registry.runCommand(reply -> new ValidatorRegistry.Register(node, List.of(validators),
        threshold, reply));
  }

  @Test
  void nothingRegisteredIsEpochZeroWithoutASet() {
    Current current = registry.<Current>runCommand(ValidatorRegistry.Get::new).reply();
    assertEquals(0, current.epoch());
    assertTrue(current.set().isEmpty());
  }

  @Test
  void eachNewValidatorStartsTheNextEpochWithTheUnion() {
    var first = register("node-1", 1, B, A);
    EpochStarted e = assertInstanceOf(EpochStarted.class, first.event());
    assertEquals(1, e.epoch());
    assertEquals(List.of(A, B), e.members());
    assertEquals(List.of(B, A), e.added());
    assertEquals("node-1", e.node());
    var second = register("node-2", 2, C);
    assertEquals(2, second.reply().epoch());
    assertEquals(List.of(A, B, C), second.reply().members());
    assertEquals(2, second.reply().threshold());
    assertEquals(3, second.reply().set().orElseThrow().size());
  }

  @Test
  void registeringKnownValidatorsAgainChangesNothing() {
    register("node-1", 1, A, B);
    var again = register("node-1", 1, B, A);
    assertTrue(again.hasNoEvents());
    assertEquals(1, again.reply().epoch());
  }

  @Test
  void thresholdNeverDropsAndNeverExceedsTheMembers() {
    register("node-1", 5, A);
    assertEquals(1, registry.<Current>runCommand(ValidatorRegistry.Get::new).reply().threshold());
    register("node-2", 2, B);
    var third = register("node-3", 1, C);
    assertEquals(2, third.reply().threshold());
  }

  @Test
  void epochsSurviveARestart() {
    register("node-1", 1, A);
    register("node-2", 1, B);
    registry.restart();
    Current current = registry.<Current>runCommand(ValidatorRegistry.Get::new).reply();
    assertEquals(2, current.epoch());
    assertEquals(List.of(A, B), current.members());
  }
}
