package io.budgetguard.client;

import java.util.Optional;

/**
 * The server acknowledged events: Kafka has them ({@code 202}).
 *
 * @param events       how many events this acknowledgement covers (1 for {@link BudgetGuardClient#send})
 * @param attempts     the most attempts any of their requests took (1 = no retry)
 * @param budgetStatus {@code X-Budget-Status} of the (last) answer; empty when absent or unknown
 */
public record Ack(int events, int attempts, Optional<BudgetStatus> budgetStatus) {}
