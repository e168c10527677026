package io.budgetguard.cli.ledger;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "ledger", mixinStandardHelpOptions = true, description = "Work with the ledger.",
        subcommands = {LedgerVerifyCommand.class})
public final class LedgerCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
