/**
 * The option parser of every command: `node:util` parseArgs for the tokens, with the checks that
 * parseArgs leaves out. It rejects an option given twice (parseArgs keeps the last value), an
 * empty value, a value on a flag and any positional argument, each as a {@link UsageError}.
 */
import { parseArgs } from "node:util";

/** A command line that the command cannot run: the command prints the message and its usage, and exits 1. */
export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

/** One option of a command: a flag (`boolean`) or an option that takes a value (`string`). */
export interface OptionSpec {
    type: "string" | "boolean";
    /** One-letter alias, e.g. `s` for `-s`. */
    short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed options: the value of each option given, or undefined, and true or false for each flag. */
export type OptionValues<S extends OptionSpecs> = { [K in keyof S]: S[K]["type"] extends "boolean" ? boolean : string | undefined };

/**
 * Parses a command's arguments. Throws a {@link UsageError} for an unknown option, an option
 * given twice (under its long or short name), a missing or empty value, a value given to a flag,
 * or a positional argument.
 */
export function parseOptions<S extends OptionSpecs>(argv: string[], specs: S): OptionValues<S> {
    // Non-strict mode returns unknown options as tokens, so that the messages below cover them too.
    const { tokens } = parseArgs({ args: argv, options: specs, strict: false, allowPositionals: true, tokens: true });
    const values: Record<string, string | boolean | undefined> = {};
    for (const name of Object.keys(specs)) {
        values[name] = specs[name].type === "boolean" ? false : undefined;
    }
    const seen = new Set<string>();
    for (const token of tokens) {
        if (token.kind === "positional") {
            throw new UsageError(`Unexpected argument ${JSON.stringify(token.value)}: the command takes options only.`);
        }
        if (token.kind === "option-terminator") {
            throw new UsageError('Unexpected argument "--": the command takes options only.');
        }
        const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined;
        if (spec === undefined) {
            throw new UsageError(`Unknown option ${JSON.stringify(token.rawName)}.`);
        }
        const option = `--${token.name}`;
        if (seen.has(token.name)) {
            throw new UsageError(`${option} is given twice. Give each option once.`);
        }
        seen.add(token.name);
        if (spec.type === "boolean") {
            if (token.value !== undefined) {
                throw new UsageError(`${token.rawName} takes no value.`);
            }
            values[token.name] = true;
            continue;
        }
        // parseArgs takes the next argument as the value even when it is an option, such as `--stack --all`.
        if (token.value === undefined || token.value === "" || (!token.inlineValue && token.value.startsWith("-"))) {
            throw new UsageError(`Missing value for ${token.rawName}. Write ${token.rawName} VALUE, or ${option}=VALUE for a value that starts with -.`);
        }
        values[token.name] = token.value;
    }
    return values as OptionValues<S>;
}

/**
 * Writes a usage error and the command's usage to stderr and returns exit status 1. Rethrows any
 * other error.
 */
export function reportUsageError(error: unknown, usage: string): number {
    if (!(error instanceof UsageError)) {
        throw error;
    }
    process.stderr.write(`${error.message}\n\n${usage}`);
    return 1;
}
