package io.budgetguard.ledger.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.budgetguard.common.json.Json;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns an alert or a control-plane change into an audit record: who, what, when, never a secret.
 *
 * <ul>
 *   <li>{@code at} is the Kafka record's timestamp: when the change was published (the admin API's write, the alert's
 *       emission).
 *   <li>{@code actor}: the control-plane records carry no actor (the admin API writes them for an {@code X-Admin-Key}
 *       holder or, for self-service routes, for a tenant key, without saying which), so changes are recorded as
 *       {@code admin}; should a record schema gain an {@code actor} field, its value is used. Alerts are
 *       {@code system}.
 *   <li>{@code details}: JSON of the record's non-secret fields. An API key's {@code secret_hash} (bcrypt) is never
 *       copied.
 * </ul>
 */
public final class AuditMapper {

    public static final String ADMIN = "admin";
    public static final String SYSTEM = "system";

    private final AuditTopics topics;

    public AuditMapper(AuditTopics topics) {
        this.topics = Objects.requireNonNull(topics, "topics");
    }

    /** Whether {@code topic} feeds the audit trail. */
    public boolean isAuditTopic(String topic) {
        return topics.enabled() && topics.names().contains(topic);
    }

    /**
     * The audit record of one Kafka record ({@code value} null for a tombstone); empty for a record that says nothing
     * auditable.
     */
    public Optional<AuditRecord> map(String topic, String key, SpecificRecord value, long timestampMillis) {
        Instant at = Instant.ofEpochMilli(timestampMillis);
        if (topic.equals(topics.alerts())) {
            return value instanceof BudgetAlert alert ? Optional.of(alert(alert, at)) : Optional.empty();
        }
        if (topic.equals(topics.tenants())) {
            return Optional.of(value instanceof Tenant tenant ? tenant(tenant, at)
                    : new AuditRecord(orEmpty(key), at, ADMIN, "tenant.deleted", "tenant/" + orEmpty(key), "{}"));
        }
        if (topic.equals(topics.apiKeys())) {
            return Optional.of(value instanceof ApiKey apiKey ? apiKey(apiKey, at)
                    : new AuditRecord("", at, ADMIN, "apikey.deleted", "apikey/" + orEmpty(key), "{}"));
        }
        if (topic.equals(topics.budgets())) {
            if (value instanceof Budget budget) {
                return Optional.of(budget(budget, at));
            }
            String[] parts = orEmpty(key).split("/", 2);
            return Optional.of(new AuditRecord(parts[0], at, ADMIN, "budget.deleted",
                    "budget/" + (parts.length > 1 ? parts[1] : ""), "{}"));
        }
        if (topic.equals(topics.prices())) {
            return Optional.of(value instanceof ModelPrice price ? price(price, at)
                    : new AuditRecord("", at, ADMIN, "price.deleted", "price/" + orEmpty(key), "{}"));
        }
        return Optional.empty();
    }

    private static AuditRecord alert(BudgetAlert a, Instant at) {
        ObjectNode d = Json.MAPPER.createObjectNode()
                .put("alert_id", a.getAlertId())
                .put("budget_id", a.getBudgetId())
                .put("period", a.getPeriod())
                .put("period_start", text(a.getPeriodStart()))
                .put("period_end", text(a.getPeriodEnd()))
                .put("threshold_percent", a.getThresholdPercent())
                .put("limit_usd", text(a.getLimitUsd()))
                .put("spend_usd", text(a.getSpendUsd()))
                .put("event_id", a.getEventId())
                .put("event_occurred_at", text(a.getEventOccurredAt()))
                .put("emitted_at", text(a.getEmittedAt()))
                .put("late", a.getLate())
                .put("api_key_id", a.getApiKeyId())
                .put("model", a.getModel());
        return new AuditRecord(a.getTenantId(), at, SYSTEM, "budget.alert", "budget/" + a.getBudgetId(), json(d));
    }

    private static AuditRecord tenant(Tenant t, Instant at) {
        ObjectNode d = Json.MAPPER.createObjectNode()
                .put("name", t.getName())
                .put("status", t.getStatus())
                .put("rate_limit_events_per_s", t.getRateLimitEventsPerS())
                .put("created_at", text(t.getCreatedAt()))
                .put("updated_at", text(t.getUpdatedAt()));
        if (t.getRateLimitRequestsPerS() != null) {
            // added later to the schema: only when set, so that the details of tenants without it stay as they were
            d.put("rate_limit_requests_per_s", t.getRateLimitRequestsPerS());
        }
        String action = Objects.equals(t.getCreatedAt(), t.getUpdatedAt()) ? "tenant.created" : "tenant.updated";
        return new AuditRecord(t.getTenantId(), at, actor(t, ADMIN), action, "tenant/" + t.getTenantId(), json(d));
    }

    /** Everything but {@code secret_hash}. */
    private static AuditRecord apiKey(ApiKey k, Instant at) {
        ObjectNode d = Json.MAPPER.createObjectNode()
                .put("key_id", k.getKeyId())
                .put("role", k.getRole())
                .put("created_at", text(k.getCreatedAt()))
                .put("revoked_at", text(k.getRevokedAt()));
        String action = k.getRevokedAt() == null ? "apikey.created" : "apikey.revoked";
        return new AuditRecord(k.getTenantId(), at, actor(k, ADMIN), action, "apikey/" + k.getKeyId(), json(d));
    }

    private static AuditRecord budget(Budget b, Instant at) {
        ObjectNode d = Json.MAPPER.createObjectNode()
                .put("limit_usd", text(b.getLimitUsd()))
                .put("period", b.getPeriod())
                .put("api_key_id", b.getApiKeyId())
                .put("model", b.getModel())
                .put("updated_at", text(b.getUpdatedAt()));
        var thresholds = d.putArray("thresholds");
        if (b.getThresholds() != null) {
            b.getThresholds().forEach(thresholds::add);
        }
        return new AuditRecord(b.getTenantId(), at, actor(b, ADMIN), "budget.upserted", "budget/" + b.getBudgetId(),
                json(d));
    }

    private static AuditRecord price(ModelPrice p, Instant at) {
        ObjectNode d = Json.MAPPER.createObjectNode()
                .put("effective_from", text(p.getEffectiveFrom()))
                .put("input_per_mtok", text(p.getInputPerMtok()))
                .put("cached_input_per_mtok", text(p.getCachedInputPerMtok()))
                .put("cache_write_per_mtok", text(p.getCacheWritePerMtok()))
                .put("output_per_mtok", text(p.getOutputPerMtok()))
                .put("source", p.getSource())
                .put("as_of", p.getAsOf());
        return new AuditRecord("", at, actor(p, ADMIN), "price.upserted",
                "price/" + p.getProvider() + "/" + p.getModel() + "/" + p.getVersion(), json(d));
    }

    /** The record's own {@code actor} field if its schema has one and it is set, else {@code fallback}. */
    static String actor(SpecificRecord record, String fallback) {
        Schema.Field field = record.getSchema().getField("actor");
        if (field == null) {
            return fallback;
        }
        Object value = record.get(field.pos());
        return value == null || value.toString().isBlank() ? fallback : value.toString();
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String text(BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static String json(ObjectNode details) {
        try {
            return Json.MAPPER.writeValueAsString(details);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details cannot be written as JSON", e);
        }
    }
}
