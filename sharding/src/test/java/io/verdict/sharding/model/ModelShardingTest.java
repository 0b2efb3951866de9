package io.verdict.sharding.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Model#init} on a one-node cluster: settings from reference.conf, messages through sharding. */
class ModelShardingTest {

    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("model-sharding-test", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.loglevel = WARNING
                """).withFallback(EventSourcedBehaviorTestKit.config()).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(testKit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @Test
    void publishAndResolveThroughSharding() {
        assertEquals(ModelSettings.DEFAULTS, ModelSettings.fromConfig(testKit.system().settings().config()));
        Model.init(testKit.system());
        EntityRef<Model.Command> mlp = ClusterSharding.get(testKit.system()).entityRefFor(Model.ENTITY_KEY, "mlp");

        TestProbe<StatusReply<ModelView>> published = testKit.createTestProbe();
        mlp.tell(new Model.Publish(ModelTest.spec("1", "sha256:" + "11".repeat(32), "EXACT"), published.ref()));
        StatusReply<ModelView> reply = published.receiveMessage(Duration.ofSeconds(20));
        assertTrue(reply.isSuccess(), String.valueOf(reply));

        TestProbe<StatusReply<ResolvedModel>> resolved = testKit.createTestProbe();
        mlp.tell(new Model.Resolve(null, resolved.ref()));
        assertEquals("1", resolved.receiveMessage(Duration.ofSeconds(5)).getValue().version());
    }
}
