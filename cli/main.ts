/**
 * The `cloudbreak-role` command line: `plan`, `show` and `verify`.
 */
const USAGE = `Usage: cloudbreak-role <command> [options]

Commands:
  plan     Evaluate the program offline for a stack and print what pulumi up would create
  show     Print a live role (and its drift from a stack's plan)
  verify   Assume the live role with the external ID and check its trust and permissions

Run cloudbreak-role <command> --help for the options of a command.
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
        case "--help":
        case "-h":
        case "help":
            process.stdout.write(USAGE);
            return command === undefined ? 1 : 0;
        default:
            process.stderr.write(`Unknown command ${JSON.stringify(command)}.\n\n${USAGE}`);
            return 1;
    }
}
