package io.verdict.sharding.model;

/**
 * A job's inputs exceed a limit its model version declares ({@link VersionLimits}): a user's
 * mistake, refused before the job is accepted.
 */
public final class InputLimitExceeded extends RuntimeException {

    private final String model;
    private final String input;
    private final long value;
    private final long limit;

    /**
     * @param model the version, {@code name@version}
     * @param input the input concerned, or {@code (all inputs)} for their total size
     * @param value what the job sent
     * @param limit what the version allows
     */
    public InputLimitExceeded(String model, String input, long value, long limit, String message) {
        super(message);
        this.model = model;
        this.input = input;
        this.value = value;
        this.limit = limit;
    }

    public String model() {
        return model;
    }

    public String input() {
        return input;
    }

    public long value() {
        return value;
    }

    public long limit() {
        return limit;
    }
}
