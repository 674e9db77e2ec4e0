package io.clustermode.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cluster-mode} command line. Bad options end it with a one-line reason and exit code 2. */
@Command(name = "cluster-mode", mixinStandardHelpOptions = true, version = "cluster-mode 0.1.0-SNAPSHOT",
        description = "Turns a set of application instances into a managed cluster.",
        subcommands = {NodeCommand.class, StatusCommand.class, DemoCommand.class, SimulateCommand.class})
public final class Main implements Runnable {

    /** Exit code for bad options or unusable values. */
    static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    static int execute(String... args) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setParameterExceptionHandler((error, ignored) -> {
            System.err.println("cluster-mode: " + error.getMessage());
            return USAGE;
        });
        commandLine.setExitCodeExceptionMapper(error -> error instanceof CommandLine.ParameterException ? USAGE : 1);
        return commandLine.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
