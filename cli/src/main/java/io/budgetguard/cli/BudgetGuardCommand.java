package io.budgetguard.cli;

import io.budgetguard.cli.dev.DevCommand;
import io.budgetguard.cli.ledger.LedgerCommand;
import io.budgetguard.cli.service.IngestCommand;
import io.budgetguard.cli.service.SinkCommand;
import io.budgetguard.cli.service.StreamsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code budgetguard}: the one command. {@code main} only parses and dispatches. */
@Command(
        name = "budgetguard",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Metering pipeline for AI API usage: ingest, price, budget, ledger.",
        subcommands = {
            DevCommand.class,
            IngestCommand.class,
            StreamsCommand.class,
            SinkCommand.class,
            LedgerCommand.class,
            io.budgetguard.cli.load.LoadCommand.class,
            io.budgetguard.cli.chaos.ChaosCommand.class,
            io.budgetguard.cli.db.DbCommand.class,
            io.budgetguard.cli.tenant.TenantCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BudgetGuardCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        return new CommandLine(new BudgetGuardCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    cmd.getErr().println("budgetguard: " + e.getMessage());
                    return 1;
                });
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
