package io.budgetguard.cli.tenant;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "tenant", mixinStandardHelpOptions = true, description = "Work with tenants.",
        subcommands = {TenantEraseCommand.class})
public final class TenantCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
