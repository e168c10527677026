package io.budgetguard.metering.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class PeriodKindTest {

    @Test
    void shouldStartADailyPeriodAtMidnightUtc() {
        BudgetPeriod period = PeriodKind.DAILY.periodContaining(Instant.parse("2026-03-10T23:59:59.999Z"));

        assertThat(period.start()).isEqualTo(Instant.parse("2026-03-10T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2026-03-11T00:00:00Z"));
    }

    @Test
    void shouldStartAWeeklyPeriodOnMondayAndKeepSundayInIt() {
        BudgetPeriod sunday = PeriodKind.WEEKLY.periodContaining(Instant.parse("2026-03-15T23:00:00Z"));
        BudgetPeriod monday = PeriodKind.WEEKLY.periodContaining(Instant.parse("2026-03-16T00:00:00Z"));

        assertThat(sunday.start()).isEqualTo(Instant.parse("2026-03-09T00:00:00Z"));
        assertThat(sunday.end()).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
        assertThat(monday.start()).isEqualTo(Instant.parse("2026-03-16T00:00:00Z"));
    }

    @Test
    void shouldSpanWeeksAcrossAYearBoundaryAsIsoWeeksDo() {
        BudgetPeriod period = PeriodKind.WEEKLY.periodContaining(Instant.parse("2027-01-01T12:00:00Z"));

        assertThat(period.start()).isEqualTo(Instant.parse("2026-12-28T00:00:00Z"));
        assertThat(period.end()).isEqualTo(Instant.parse("2027-01-04T00:00:00Z"));
    }

    @Test
    void shouldSpanACalendarMonthIncludingALeapFebruary() {
        BudgetPeriod february = PeriodKind.MONTHLY.periodContaining(Instant.parse("2028-02-29T12:00:00Z"));

        assertThat(february.start()).isEqualTo(Instant.parse("2028-02-01T00:00:00Z"));
        assertThat(february.end()).isEqualTo(Instant.parse("2028-03-01T00:00:00Z"));
    }

    @Test
    void shouldReadTheControlPlaneNames() {
        assertThat(PeriodKind.fromCode("monthly")).contains(PeriodKind.MONTHLY);
        assertThat(PeriodKind.fromCode("Weekly")).contains(PeriodKind.WEEKLY);
        assertThat(PeriodKind.fromCode("yearly")).isEmpty();
        assertThat(PeriodKind.fromCode(null)).isEmpty();
    }

    @Test
    void shouldTellWhetherAPeriodHadEndedAtAnInstant() {
        BudgetPeriod january = PeriodKind.MONTHLY.periodContaining(Instant.parse("2026-01-15T00:00:00Z"));

        assertThat(january.endedBy(Instant.parse("2026-01-31T23:59:59.999Z"))).isFalse();
        assertThat(january.endedBy(Instant.parse("2026-02-01T00:00:00Z"))).isTrue();
    }
}
