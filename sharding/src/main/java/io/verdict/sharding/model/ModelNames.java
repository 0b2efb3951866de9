package io.verdict.sharding.model;

import java.util.Optional;
import java.util.regex.Pattern;

/** The grammar of model names and version labels, with the messages a publisher sees. */
public final class ModelNames {

    /** Lower-case letters, digits, '.', '_', '-'; 1 to 63 characters, starting with a letter or digit. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    /** Letters, digits, '.', '_', '-'; 1 to 32 characters, starting with a letter or digit. */
    public static final Pattern VERSION = Pattern.compile("[0-9A-Za-z][0-9A-Za-z._-]{0,31}");

    private ModelNames() {
    }

    /** Why {@code name} is not a model name, or empty if it is one. */
    public static Optional<String> nameProblem(String name) {
        if (name != null && NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of("invalid model name " + quote(name) + ": use 1 to 63 lower-case letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit");
    }

    /** Why {@code version} is not a version label, or empty if it is one. */
    public static Optional<String> versionProblem(String version) {
        if (version != null && VERSION.matcher(version).matches()) {
            return Optional.empty();
        }
        return Optional.of("invalid model version " + quote(version) + ": use 1 to 32 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit");
    }

    private static String quote(String s) {
        if (s == null) {
            return "(none)";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return "'" + shown + "'";
    }
}
