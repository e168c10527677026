package io.budgetguard.cli.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void shouldMaskEveryKnownSecret() {
        assertThat(Redaction.redact("failed for s3cret-owner and s3cret-writer", "s3cret-owner", "s3cret-writer", null))
                .isEqualTo("failed for **** and ****");
    }

    @Test
    void shouldMaskAPasswordInAJdbcUrl() {
        assertThat(Redaction.redact("jdbc:postgresql://db:5432/ledger?user=owner&password=hunter22&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/ledger?user=owner&password=****&ssl=true");
    }

    @Test
    void shouldLeaveVeryShortSecretsAloneRatherThanBlankOutWords() {
        assertThat(Redaction.redact("a database", "a")).isEqualTo("a database");
    }

    @Test
    void shouldNotMaskAPasswordInsideALongerWord() {
        assertThat(Redaction.redact("jdbc:postgresql://db/ledger as postgres", "postgres"))
                .isEqualTo("jdbc:postgresql://db/ledger as ****");
    }

    @Test
    void shouldMaskAPasswordBetweenPunctuation() {
        assertThat(Redaction.redact("jdbc:postgresql://owner:s3cret-0wner@db/ledger", "s3cret-0wner"))
                .isEqualTo("jdbc:postgresql://owner:****@db/ledger");
    }
}
