package io.verdict.persistence.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.verdict.persistence.models.SharedModelStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.junit.jupiter.api.Test;

/**
 * The production CQL file creates exactly the journal and snapshot tables, columns and keys that
 * pekko-persistence-cassandra itself would create, and the shared model store's tables as
 * {@link SharedModelStore} creates them, with NetworkTopologyStrategy keyspaces. (The file also
 * holds the node's audit keyspace, which the node's AuditCqlTest checks.)
 */
class CassandraSchemaTest {

    /** A table as columns and key clauses, whitespace and case normalised. */
    record Table(Set<String> definitions, boolean descendingSequence) {}

    @Test
    void productionCqlMatchesThePluginsOwnSchema() throws IOException {
        String file = readCqlResource();
        List<String> statements = Arrays.stream(file.replaceAll("(?m)--.*$", "").split(";"))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();

        List<String> plugin = new ArrayList<>();
        ActorTestKit kit = ActorTestKit.create("schema",
                CassandraJournal.config(List.of("127.0.0.1:9042"), ConfigFactory.parseString("""
                        verdict.cassandra.journal-keyspace = verdict_journal
                        verdict.cassandra.snapshot-keyspace = verdict_snapshot
                        pekko.loglevel = WARNING
                        """)));
        try {
            KeyspaceAndTableStatements ddl = new KeyspaceAndTableStatements(kit.system(),
                    "pekko.persistence.cassandra", PluginSettings.apply(kit.system().classicSystem()));
            plugin.addAll(ddl.getCreateJournalTablesStatements());
            plugin.addAll(ddl.getCreateSnapshotTablesStatements());
        } finally {
            kit.shutdownTestKit();
        }

        Map<String, Table> all = tables(statements);
        Map<String, Table> journalTables = new TreeMap<>(all);
        journalTables.keySet().removeIf(name -> !name.startsWith("verdict_journal.")
                && !name.startsWith("verdict_snapshot."));
        assertEquals(tables(plugin), journalTables);
        Map<String, Table> models = new TreeMap<>(all);
        models.keySet().removeIf(name -> !name.startsWith("verdict_models."));
        assertEquals(tables(SharedModelStore.createTableStatements("verdict_models")), models,
                "the shared model store's tables");
        List<String> keyspaces = statements.stream()
                .filter(s -> s.toLowerCase(Locale.ROOT).startsWith("create keyspace")).toList();
        assertEquals(4, keyspaces.size());
        assertTrue(keyspaces.stream().allMatch(s -> s.contains("'NetworkTopologyStrategy'")), keyspaces.toString());
    }

    private static String readCqlResource() throws IOException {
        try (InputStream in = CassandraSchemaTest.class.getClassLoader()
                .getResourceAsStream(CassandraJournal.CQL_RESOURCE)) {
            assertTrue(in != null, CassandraJournal.CQL_RESOURCE + " on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Table> tables(List<String> statements) {
        Map<String, Table> tables = new TreeMap<>();
        for (String statement : statements) {
            String s = statement.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
            String prefix = "create table if not exists ";
            if (!s.startsWith(prefix)) {
                continue;
            }
            int open = s.indexOf('(');
            String name = s.substring(prefix.length(), open).trim();
            int close = matching(s, open);
            Set<String> definitions = new TreeSet<>();
            for (String part : splitTopLevel(s.substring(open + 1, close))) {
                definitions.add(part.replaceAll("\\s*([(),<>])\\s*", "$1").trim());
            }
            boolean descending = s.substring(close).replace(" ", "").contains("clusteringorderby(sequence_nrdesc)");
            tables.put(name, new Table(definitions, descending));
        }
        return tables;
    }

    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("unbalanced parentheses: " + s);
    }

    private static List<String> splitTopLevel(String body) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if (c == ')' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(body.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(body.substring(start));
        return parts;
    }
}
