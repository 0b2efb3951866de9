package io.verdict.node.grpc;

import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.grpc.javadsl.Metadata;

/**
 * The caller's gRPC deadline, from the {@code grpc-timeout} request header (an integer of at most
 * 8 digits and a unit: H, M, S, m, u, n). The server stops waiting for a job a little before the
 * caller gives up, so it answers with the job as it stands instead of working for nobody.
 */
final class CallerDeadline {

    /** Time kept back for the answer to reach the caller. */
    static final Duration MARGIN = Duration.ofMillis(200);

    private CallerDeadline() {}

    /** How long the server may wait given {@code metadata}; empty when the caller set no deadline. */
    static Optional<Duration> remaining(Metadata metadata) {
        return metadata.getText("grpc-timeout").flatMap(CallerDeadline::parse)
                .map(d -> d.minus(MARGIN))
                .map(d -> d.isNegative() ? Duration.ZERO : d);
    }

    static Optional<Duration> parse(String header) {
        if (header == null || header.length() < 2 || header.length() > 9) {
            return Optional.empty();
        }
        long amount;
        try {
            amount = Long.parseLong(header.substring(0, header.length() - 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (amount < 0) {
            return Optional.empty();
        }
        return switch (header.charAt(header.length() - 1)) {
            case 'H' -> Optional.of(Duration.ofHours(amount));
            case 'M' -> Optional.of(Duration.ofMinutes(amount));
            case 'S' -> Optional.of(Duration.ofSeconds(amount));
            case 'm' -> Optional.of(Duration.ofMillis(amount));
            case 'u' -> Optional.of(Duration.ofNanos(amount * 1_000));
            case 'n' -> Optional.of(Duration.ofNanos(amount));
            default -> Optional.empty();
        };
    }

    /** The shorter of the request's own wait and the caller's deadline (either may be absent). */
    static Duration shorter(Duration requested, Optional<Duration> deadline) {
        if (deadline.isEmpty()) {
            return requested;
        }
        if (requested == null || requested.isZero()) {
            return deadline.get().isZero() ? Duration.ofMillis(1) : deadline.get();
        }
        Duration d = deadline.get().isZero() ? Duration.ofMillis(1) : deadline.get();
        return requested.compareTo(d) <= 0 ? requested : d;
    }
}
