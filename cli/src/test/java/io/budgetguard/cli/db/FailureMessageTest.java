package io.budgetguard.cli.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FailureMessageTest {

    @Test
    void shouldFoldFlywaysConnectionTableIntoOneLine() {
        String flyway = "Unable to obtain connection from database (jdbc:postgresql://db:5432/ledger) for user 'owner':"
                + " FATAL: password authentication failed for user \"owner\"\n"
                + "-------------------------------------------------\n"
                + "SQL State  : 28P01\n"
                + "Error Code : 0\n"
                + "Message    : FATAL: password authentication failed for user \"owner\"\n";

        assertThat(FailureMessage.describe(new RuntimeException(flyway))).isEqualTo(
                "Unable to obtain connection from database (jdbc:postgresql://db:5432/ledger) for user 'owner':"
                        + " FATAL: password authentication failed for user \"owner\" (SQL state 28P01)");
    }

    @Test
    void shouldAddTheServersMessageWhenTheHeadlineNamesOnlyTheScript() {
        String flyway = "Migration V2__budgets.sql failed\n"
                + "--------------------------------\n"
                + "SQL State  : 42P07\n"
                + "Error Code : 0\n"
                + "Message    : ERROR: relation \"budgets\" already exists\n"
                + "Location   : db/migration/V2__budgets.sql\n";

        assertThat(FailureMessage.describe(new RuntimeException(flyway))).isEqualTo(
                "Migration V2__budgets.sql failed: ERROR: relation \"budgets\" already exists (SQL state 42P07)");
    }

    @Test
    void shouldNameTheExceptionTypeWhenThereIsNoMessage() {
        assertThat(FailureMessage.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
