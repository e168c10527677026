package io.budgetguard.cli.db;

/** Turns an exception from Flyway, the driver or {@code Migrations} into the one line the command prints. */
final class FailureMessage {

    private FailureMessage() {}

    /**
     * The exception's message on one line. Flyway's messages are a headline, a dashed rule and a table
     * ({@code SQL State : 28P01}, {@code Message : FATAL: ...}, ...): keep the headline, the server's message when the
     * headline lacks it (a failed migration's headline names only the script) and the SQL state.
     */
    static String describe(Exception e) {
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            return e.getClass().getSimpleName();
        }
        String[] lines = message.strip().split("\\R");
        StringBuilder line = new StringBuilder(lines[0].strip());
        String sqlState = null;
        for (String next : lines) {
            String[] field = next.split("\\s*:\\s*", 2);
            if (field.length < 2) {
                continue;
            }
            if (field[0].equals("Message") && !lines[0].contains(field[1].strip())) {
                line.append(": ").append(field[1].strip());
            } else if (field[0].equals("SQL State")) {
                sqlState = field[1].strip();
            }
        }
        if (sqlState != null && !sqlState.isEmpty()) {
            line.append(" (SQL state ").append(sqlState).append(')');
        }
        return line.toString();
    }
}
