package io.verdict.node.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.verdict.persistence.journal.CassandraJournal;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The production CQL creates exactly the audit tables the node creates itself with auto-create. */
class AuditCqlTest {

    @Test
    void productionCqlHoldsTheAuditTablesTheNodeCreates() throws IOException {
        String file;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(CassandraJournal.CQL_RESOURCE)) {
            assertThat(in).as(CassandraJournal.CQL_RESOURCE + " on the classpath").isNotNull();
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> statements = Arrays.stream(file.replaceAll("(?m)--.*$", "").split(";"))
                .map(AuditCqlTest::normalise).filter(s -> !s.isEmpty()).toList();

        List<String> audit = statements.stream()
                .filter(s -> s.startsWith("create table if not exists verdict_audit."))
                .filter(s -> !s.contains("verdict_audit.offset_store") && !s.contains("verdict_audit.projection_management"))
                .toList();
        assertThat(audit).containsExactlyInAnyOrderElementsOf(CassandraAuditStore.tableStatements("verdict_audit")
                .stream().map(AuditCqlTest::normalise).toList());
        assertThat(statements).anyMatch(s -> s.startsWith("create table if not exists verdict_audit.offset_store"))
                .anyMatch(s -> s.startsWith("create table if not exists verdict_audit.projection_management"))
                .anyMatch(s -> s.startsWith("create keyspace if not exists verdict_audit ")
                        && s.contains("'networktopologystrategy'"));
    }

    private static String normalise(String cql) {
        return cql.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").replaceAll("\\s*([(),])\\s*", "$1").trim();
    }
}
