package io.budgetguard.ledger.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditMapperTest {

    private static final Instant CREATED = Instant.parse("2025-03-01T12:00:00Z");
    private static final long PUBLISHED = Instant.parse("2025-03-01T12:00:05.123Z").toEpochMilli();
    private static final String BCRYPT = "$2a$12$abcdefghijklmnopqrstuuJmN8Yk2c5HwW3YpZ6oO0l5lYx9XyZ1e";

    private final AuditMapper mapper = new AuditMapper(AuditTopics.STANDARD);

    private static ApiKey.Builder apiKey() {
        return ApiKey.newBuilder().setKeyId("k0123456789abcde").setTenantId("acme").setRole("developer")
                .setSecretHash(BCRYPT).setCreatedAt(CREATED).setRevokedAt(null);
    }

    private AuditRecord map(String topic, String key, org.apache.avro.specific.SpecificRecord value) {
        return mapper.map(topic, key, value, PUBLISHED).orElseThrow();
    }

    @Test
    void shouldRecordANewApiKeyWithoutItsSecretHash() {
        AuditRecord record = map("control.apikeys.v1", "k0123456789abcde", apiKey().build());

        assertThat(record).isEqualTo(new AuditRecord("acme", Instant.ofEpochMilli(PUBLISHED), "admin",
                "apikey.created", "apikey/k0123456789abcde", "{\"key_id\":\"k0123456789abcde\",\"role\":\"developer\","
                        + "\"created_at\":\"2025-03-01T12:00:00Z\",\"revoked_at\":null}"));
        assertThat(record.details()).doesNotContain("$2a$").doesNotContain("secret");
    }

    @Test
    void shouldRecordARevocation() {
        AuditRecord record = map("control.apikeys.v1", "k0123456789abcde",
                apiKey().setRevokedAt(CREATED.plusSeconds(60)).build());

        assertThat(record.action()).isEqualTo("apikey.revoked");
        assertThat(record.details()).contains("\"revoked_at\":\"2025-03-01T12:01:00Z\"").doesNotContain(BCRYPT);
    }

    @Test
    void shouldRecordTheCreationAndTheChangeOfATenant() {
        Tenant created = Tenant.newBuilder().setTenantId("acme").setName("Acme").setStatus("active")
                .setRateLimitEventsPerS(null).setCreatedAt(CREATED).setUpdatedAt(CREATED).build();
        Tenant suspended = Tenant.newBuilder(created).setStatus("suspended").setUpdatedAt(CREATED.plusSeconds(1))
                .build();

        assertThat(map("control.tenants.v1", "acme", created).action()).isEqualTo("tenant.created");
        AuditRecord record = map("control.tenants.v1", "acme", suspended);
        assertThat(record.action()).isEqualTo("tenant.updated");
        assertThat(record.subject()).isEqualTo("tenant/acme");
        assertThat(record.details()).contains("\"status\":\"suspended\"").doesNotContain("rate_limit_requests_per_s");
        Tenant limited = Tenant.newBuilder(suspended).setRateLimitRequestsPerS(50).setUpdatedAt(CREATED.plusSeconds(2))
                .build();
        assertThat(map("control.tenants.v1", "acme", limited).details()).contains("\"rate_limit_requests_per_s\":50");
    }

    @Test
    void shouldRecordABudgetAndItsDeletionFromTheRecordKey() {
        Budget budget = Budget.newBuilder().setTenantId("acme").setBudgetId("monthly")
                .setLimitUsd(new BigDecimal("25.000000000")).setPeriod("monthly").setThresholds(List.of(50, 80, 100))
                .setUpdatedAt(CREATED).build();

        AuditRecord upserted = map("control.budgets.v1", "acme/monthly", budget);
        AuditRecord deleted = map("control.budgets.v1", "acme/monthly", null);

        assertThat(upserted.action()).isEqualTo("budget.upserted");
        assertThat(upserted.details()).contains("\"limit_usd\":\"25.000000000\"").contains("\"thresholds\":[50,80,100]");
        assertThat(deleted).isEqualTo(new AuditRecord("acme", Instant.ofEpochMilli(PUBLISHED), "admin",
                "budget.deleted", "budget/monthly", "{}"));
    }

    @Test
    void shouldRecordAPriceChangeAsPlatformWide() {
        ModelPrice price = ModelPrice.newBuilder().setProvider("openai").setModel("gpt-4o").setVersion("2025-03")
                .setEffectiveFrom(CREATED).setInputPerMtok(new BigDecimal("2.500000000"))
                .setCachedInputPerMtok(new BigDecimal("1.250000000")).setCacheWritePerMtok(BigDecimal.ZERO)
                .setOutputPerMtok(new BigDecimal("10.000000000")).build();

        AuditRecord record = map("control.prices.v1", "openai/gpt-4o/2025-03", price);

        assertThat(record.tenantId()).isEmpty();
        assertThat(record.subject()).isEqualTo("price/openai/gpt-4o/2025-03");
        assertThat(record.details()).contains("\"input_per_mtok\":\"2.500000000\"");
    }

    @Test
    void shouldRecordAnAlertAsTheSystems() {
        BudgetAlert alert = BudgetAlert.newBuilder().setAlertId("acme/monthly/2025-03-01T00:00:00Z/80")
                .setTenantId("acme").setBudgetId("monthly").setPeriod("monthly")
                .setPeriodStart(Instant.parse("2025-03-01T00:00:00Z")).setPeriodEnd(Instant.parse("2025-04-01T00:00:00Z"))
                .setThresholdPercent(80).setLimitUsd(new BigDecimal("25.000000000"))
                .setSpendUsd(new BigDecimal("20.500000000")).setEventId("evt-9").setEventOccurredAt(CREATED)
                .setEmittedAt(CREATED.plusMillis(300)).setLate(false).build();

        AuditRecord record = map("budget.alerts.v1", "acme", alert);

        assertThat(record.actor()).isEqualTo("system");
        assertThat(record.action()).isEqualTo("budget.alert");
        assertThat(record.subject()).isEqualTo("budget/monthly");
        assertThat(record.details()).contains("\"threshold_percent\":80").contains("\"spend_usd\":\"20.500000000\"");
    }

    @Test
    void shouldIgnoreOtherTopicsAndEverythingWhenDisabled() {
        assertThat(mapper.map("usage.priced.v1", "acme", apiKey().build(), PUBLISHED)).isEmpty();
        assertThat(new AuditMapper(AuditTopics.NONE).isAuditTopic("control.apikeys.v1")).isFalse();
        assertThat(mapper.isAuditTopic("control.apikeys.v1")).isTrue();
    }
}
