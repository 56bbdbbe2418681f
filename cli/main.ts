/**
 * The `cloudbreak-role` command line: `plan`, `show` and `verify`.
 */
const USAGE = `Usage: cloudbreak-role <command> [options]

Commands:
  plan     Evaluate the program offline for a stack and print what pulumi up would create
  show     Print a live role (and its drift from a stack's plan)
  verify   Assume the live role with the external ID and check its trust and permissions

Run cloudbreak-role <command> --help for the options of a command.

Exit status: 1 on a usage error (an unknown command or option, a missing or repeated option)
in every command; cloudbreak-role <command> --help lists the command's other statuses.
`;

/** Runs one command and returns the process exit status. */
export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    switch (command) {
        case "plan":
            return (await import("./plan")).runPlanCommand(rest);
        case "show":
            return (await import("./show")).runShowCommand(rest);
        case "verify":
            return (await import("./verify")).runVerifyCommand(rest);
        case undefined:
            process.stderr.write(`Missing command.\n\n${USAGE}`);
            return 1;
        case "--help":
        case "-h":
        case "help":
            process.stdout.write(USAGE);
            return 0;
        default:
            process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
            return 1;
    }
}
