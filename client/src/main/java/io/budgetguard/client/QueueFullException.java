package io.budgetguard.client;

/** {@link BudgetGuardClient#send} could not queue the event within {@code maxBlock}: the server is not keeping up. */
public final class QueueFullException extends BudgetGuardException {

    public QueueFullException(String message) {
        super(message);
    }
}
