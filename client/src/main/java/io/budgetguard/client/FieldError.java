package io.budgetguard.client;

/**
 * One invalid field, as the server's problem+json names it.
 *
 * @param index   the event's position in the request that carried it; null when the problem is the request's
 * @param field   the field name (null when the event as a whole is wrong)
 * @param message what is wrong
 */
public record FieldError(Integer index, String field, String message) {}
