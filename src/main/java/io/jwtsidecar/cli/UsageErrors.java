package io.jwtsidecar.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command line picocli cannot parse (a missing or unknown option, a bad value): one line,
 * "jwt-sidecar COMMAND: what is wrong; see 'jwt-sidecar COMMAND --help'", exit
 * {@value ExitStatus#USAGE}. picocli's default adds the whole usage text, which pushes the one
 * line that matters off a terminal and into the middle of a log.
 */
final class UsageErrors implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage() + "; see '" + name + " --help'");
        UnmatchedArgumentException.printSuggestions(e, err);
        err.flush();
        return ExitStatus.USAGE;
    }
}
