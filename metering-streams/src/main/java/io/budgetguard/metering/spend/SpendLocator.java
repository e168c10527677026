package io.budgetguard.metering.spend;

/** Finds where a tenant's spend state lives. */
@FunctionalInterface
public interface SpendLocator {

    TenantState locate(String tenantId);
}
