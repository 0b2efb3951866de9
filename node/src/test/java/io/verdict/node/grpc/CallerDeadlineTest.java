package io.verdict.node.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallerDeadlineTest {

    @Test
    void parsesEveryGrpcTimeoutUnit() {
        assertThat(CallerDeadline.parse("2H")).contains(Duration.ofHours(2));
        assertThat(CallerDeadline.parse("3M")).contains(Duration.ofMinutes(3));
        assertThat(CallerDeadline.parse("10S")).contains(Duration.ofSeconds(10));
        assertThat(CallerDeadline.parse("1500m")).contains(Duration.ofMillis(1500));
        assertThat(CallerDeadline.parse("250000u")).contains(Duration.ofMillis(250));
        assertThat(CallerDeadline.parse("99999999n")).contains(Duration.ofNanos(99_999_999));
    }

    @Test
    void ignoresMalformedHeaders() {
        assertThat(CallerDeadline.parse(null)).isEmpty();
        assertThat(CallerDeadline.parse("S")).isEmpty();
        assertThat(CallerDeadline.parse("10s")).isEmpty();
        assertThat(CallerDeadline.parse("abcS")).isEmpty();
        assertThat(CallerDeadline.parse("123456789S")).isEmpty();
        assertThat(CallerDeadline.parse("-5S")).isEmpty();
    }

    @Test
    void theShorterOfTheRequestsWaitAndTheCallersDeadlineWins() {
        assertThat(CallerDeadline.shorter(Duration.ofSeconds(5), Optional.empty())).isEqualTo(Duration.ofSeconds(5));
        assertThat(CallerDeadline.shorter(null, Optional.empty())).isNull();
        assertThat(CallerDeadline.shorter(Duration.ofSeconds(5), Optional.of(Duration.ofSeconds(2))))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(CallerDeadline.shorter(Duration.ofSeconds(1), Optional.of(Duration.ofSeconds(2))))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(CallerDeadline.shorter(null, Optional.of(Duration.ofSeconds(2)))).isEqualTo(Duration.ofSeconds(2));
        assertThat(CallerDeadline.shorter(null, Optional.of(Duration.ZERO))).isPositive();
    }
}
