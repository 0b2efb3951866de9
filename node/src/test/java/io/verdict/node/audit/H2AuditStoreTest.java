package io.verdict.node.audit;

import java.sql.Connection;
import java.util.UUID;

/** The audit store contract on an in-memory H2 database, one per test. */
class H2AuditStoreTest extends AuditStoreContract {

    private H2AuditStore h2;

    @Override
    AuditStore emptyStore() throws Exception {
        h2 = new H2AuditStore("jdbc:h2:mem:audit-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1;DATABASE_TO_UPPER=false",
                "verdict", "", Runnable::run);
        h2.createTables();
        return h2;
    }

    @Override
    void apply(AuditUpdate update) throws Exception {
        try (Connection c = h2.connect()) {
            H2AuditStore.apply(c, update);
            c.commit();
        }
    }
}
