package io.budgetguard.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "version", description = "Print the BudgetGuard version.")
public final class VersionCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().println(version());
    }

    static String version() {
        String version = VersionCommand.class.getPackage().getImplementationVersion();
        return "budgetguard " + (version == null ? "dev" : version);
    }

    /** Feeds {@code --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
