package io.budgetguard.ingest.usage;

/**
 * Token counts in BudgetGuard's classes: uncached input, cache reads, cache writes, output (reasoning included) and
 * reasoning (a subset of output, for reporting).
 */
record TokenCounts(long input, long cachedInput, long cacheWrite, long output, long reasoning) {}
