package io.budgetguard.cli.db;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code budgetguard db}: administration of the ledger database, run as its owner, never by a service. */
@Command(name = "db", mixinStandardHelpOptions = true,
        description = "Administer the ledger database as its owner (migrations, application logins).",
        subcommands = {DbMigrateCommand.class})
public final class DbCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
