package io.budgetguard.client;

/** Why events were not delivered. Messages never contain the API key. */
public class BudgetGuardException extends RuntimeException {

    public BudgetGuardException(String message) {
        super(message);
    }

    public BudgetGuardException(String message, Throwable cause) {
        super(message, cause);
    }
}
