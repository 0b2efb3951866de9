package io.verdict.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our marker goes through Jackson CBOR; anything else, in particular java.io.Serializable, is refused. */
class SerializationTest {

    record Sample(String name, long count, List<String> tags, Nested nested) implements CborSerializable {}

    record Nested(String value, boolean flag) {}

    record Unmarked(String name) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private static ActorTestKit kit;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("serialization-test");
        serialization = SerializationExtension.get(kit.system().classicSystem());
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void markedRecordRoundTripsThroughJacksonCbor() throws Exception {
        Sample sample = new Sample("mlp", 42, List.of("a", "b"), new Nested("x", true));
        Serializer serializer = serialization.findSerializerFor(sample);
        assertTrue(serializer instanceof JacksonCborSerializer, "bound to jackson-cbor, was " + serializer);
        byte[] bytes = serializer.toBinary(sample);
        String manifest = Serializers.manifestFor(serializer, sample);
        Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        assertEquals(sample, back);
        assertArrayEquals(bytes, serialization.serialize(back).get(), "stable encoding");
    }

    @Test
    void javaSerializableClassIsRefused() {
        assertThrows(Exception.class, () -> serialization.serialize(new Unmarked("x")).get());
    }

    @Test
    void unboundClassIsRefused() {
        Exception e = assertThrows(Exception.class, () -> serialization.serialize(new Nested("x", true)).get());
        assertTrue(e.getMessage().contains("serialization"), e.getMessage());
    }
}
