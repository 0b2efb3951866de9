package io.verdict.persistence.journal;

import io.verdict.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * A tiny event-sourced counter for the journal tests (H2 and Cassandra): every {@code Add}
 * persists an {@code Added} event; a snapshot is taken every third event.
 */
final class TestCounter {

    private TestCounter() {
    }

    interface Command extends CborSerializable {}

    record Add(long amount, String note, ActorRef<Total> replyTo) implements Command {}

    record Get(ActorRef<Total> replyTo) implements Command {}

    record Added(long amount, String note) implements CborSerializable {}

    record Total(long sum, List<String> notes) implements CborSerializable {
        Total {
            notes = List.copyOf(notes);
        }

        Total plus(Added e) {
            List<String> n = new ArrayList<>(notes);
            n.add(e.note());
            return new Total(sum + e.amount(), n);
        }
    }

    static final class Counter extends EventSourcedBehavior<Command, Added, Total> {
        static Behavior<Command> create(String id) {
            return new Counter(id);
        }

        private Counter(String id) {
            super(PersistenceId.of("Counter", id));
        }

        @Override
        public Total emptyState() {
            return new Total(0, List.of());
        }

        @Override
        public CommandHandler<Command, Added, Total> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Add.class, (state, cmd) -> Effect().persist(new Added(cmd.amount(), cmd.note()))
                            .thenReply(cmd.replyTo(), s -> s))
                    .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<Total, Added> eventHandler() {
            return newEventHandlerBuilder().forAnyState().onEvent(Added.class, Total::plus).build();
        }

        @Override
        public boolean shouldSnapshot(Total state, Added event, long sequenceNr) {
            return sequenceNr % 3 == 0;
        }
    }
}
