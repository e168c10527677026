package io.budgetguard.metering.topology;

import io.budgetguard.metering.serde.UsageEventReader;
import io.budgetguard.schemas.BudgetAlert;
import io.budgetguard.schemas.BudgetStatus;
import io.budgetguard.schemas.PricedUsage;
import io.budgetguard.schemas.RejectedUsage;
import io.budgetguard.schemas.SpendSnapshot;
import io.budgetguard.schemas.UsageEvent;
import io.budgetguard.schemas.control.ApiKey;
import io.budgetguard.schemas.control.Budget;
import io.budgetguard.schemas.control.ModelPrice;
import io.budgetguard.schemas.control.Tenant;
import io.budgetguard.schemas.serde.AvroSerde;
import io.budgetguard.schemas.serde.SchemaRegistry;
import io.budgetguard.schemas.topics.Topics;
import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * The value serdes of every topic the metering topology reads or writes. Keys are strings everywhere. Usage events are
 * read by the hand-written {@link UsageEventReader} (the generic serde for other writer schemas), priced usage is
 * written by the hand-written {@link io.budgetguard.metering.serde.PricedUsageEncoder}, which takes its schema id from
 * the {@link AvroSerde} given here.
 */
public record MeteringSerdes(
        Serde<UsageEvent> usageEvent,
        UsageEventReader usageEventReader,
        AvroSerde<PricedUsage> pricedUsage,
        Serde<RejectedUsage> rejectedUsage,
        Serde<BudgetAlert> budgetAlert,
        Serde<BudgetStatus> budgetStatus,
        Serde<SpendSnapshot> spendSnapshot,
        Serde<Budget> budget,
        Serde<ModelPrice> modelPrice,
        Serde<ApiKey> apiKey,
        Serde<Tenant> tenant) {

    public MeteringSerdes {
        Objects.requireNonNull(usageEvent, "usageEvent");
        Objects.requireNonNull(usageEventReader, "usageEventReader");
        Objects.requireNonNull(pricedUsage, "pricedUsage");
        Objects.requireNonNull(rejectedUsage, "rejectedUsage");
        Objects.requireNonNull(budgetAlert, "budgetAlert");
        Objects.requireNonNull(budgetStatus, "budgetStatus");
        Objects.requireNonNull(spendSnapshot, "spendSnapshot");
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(modelPrice, "modelPrice");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(tenant, "tenant");
    }

    /** Avro in the Confluent wire format against {@code registry} (an HTTP registry, or in memory in tests). */
    public static MeteringSerdes using(SchemaRegistry registry) {
        AvroSerde<UsageEvent> usageEvent = Topics.USAGE_EVENTS.valueSerde(registry);
        return new MeteringSerdes(
                usageEvent,
                new UsageEventReader(registry, usageEvent),
                Topics.USAGE_PRICED.valueSerde(registry),
                Topics.USAGE_REJECTED.valueSerde(registry),
                Topics.BUDGET_ALERTS.valueSerde(registry),
                Topics.BUDGET_STATUS.valueSerde(registry),
                Topics.TENANT_SPEND.valueSerde(registry),
                Topics.CONTROL_BUDGETS.valueSerde(registry),
                Topics.CONTROL_PRICES.valueSerde(registry),
                Topics.CONTROL_APIKEYS.valueSerde(registry),
                Topics.CONTROL_TENANTS.valueSerde(registry));
    }
}
