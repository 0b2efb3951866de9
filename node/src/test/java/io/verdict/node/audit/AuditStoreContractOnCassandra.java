package io.verdict.node.audit;

import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;

/**
 * The audit store contract on Cassandra tables, for a test that has a Cassandra running (see
 * {@code AuditCassandraIT}): one keyspace, emptied before each test.
 */
public abstract class AuditStoreContractOnCassandra extends AuditStoreContract {

    private static final String KEYSPACE = "verdict_audit_contract";
    private static boolean created;

    private final ActorSystem<?> system;
    private CassandraAuditStore cassandra;

    protected AuditStoreContractOnCassandra(ActorSystem<?> system) {
        this.system = system;
    }

    @Override
    AuditStore emptyStore() throws Exception {
        CassandraSession session = CassandraSessionRegistry.get(system).sessionFor("pekko.persistence.cassandra");
        cassandra = new CassandraAuditStore(system, session, KEYSPACE);
        if (!created) {
            cassandra.createKeyspaceAndTables(1).toCompletableFuture().get(60, TimeUnit.SECONDS);
            created = true;
        }
        for (String table : new String[] {"jobs", "job_months", "jobs_by_time", "jobs_by_model", "jobs_by_requester",
            "jobs_by_state", "model_versions"}) {
            session.executeDDL("TRUNCATE " + KEYSPACE + "." + table).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        return cassandra;
    }

    @Override
    void apply(AuditUpdate update) throws Exception {
        cassandra.apply(update).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
