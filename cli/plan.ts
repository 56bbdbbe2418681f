/**
 * `cloudbreak-role plan`: evaluates the real program offline, under Pulumi's mock runtime, for
 * one stack or every stack of the project, and prints what `pulumi up` would create.
 *
 * Every stack runs in this one process: the program module is loaded once and its exported
 * function is called again per stack, with fresh mocks and configuration each time.
 */
import * as fs from "node:fs";
import * as path from "node:path";

import type { CredentialRoleMocks } from "../components/testing";
import { StackConfig, StackConfigError, StackRequest, listStackFiles, loadStackConfig, stackNameOfFile } from "./stackFile";

export { StackConfig, StackConfigError, StackRequest, loadStackConfig } from "./stackFile";

/** A resource that `pulumi up` would create, or import when `importId` is set. */
export interface PlannedResource {
    type: string;
    name: string;
    /** The ID of the existing cloud resource that `pulumi up` would import (the `import` option). */
    importId?: string;
    inputs: Record<string, unknown>;
}

/** The plan of a valid stack. */
export interface StackPlan {
    stack: string;
    resources: PlannedResource[];
    /** The stack outputs, with secrets shown as `[secret]`. */
    outputs: Record<string, unknown>;
    /** Warnings of plan itself (such as an assumed partition) and warnings that the program logged. */
    warnings: string[];
}

/** The verdict on an invalid stack: one message that names the stack, the key, the value and the rule. */
export interface StackPlanError {
    stack: string;
    error: string;
}

export type StackPlanResult = StackPlan | StackPlanError;

/** True when the result is an error. */
export function isPlanError(result: StackPlanResult): result is StackPlanError {
    return "error" in result;
}

const SECRET_TEXT = "[secret]";
const PLACEHOLDER_PATTERN = /SECRET_PLACEHOLDER_\d+/g;
const STACK_RESOURCE_TYPE = "pulumi:pulumi:Stack";
const DEFAULT_REGION = "us-east-1";

type PulumiModule = typeof import("@pulumi/pulumi");
type Program = () => Promise<Record<string, unknown>>;

/** Modules loaded on first use, so `--help` and usage errors start fast. */
interface Runtime {
    pulumi: PulumiModule;
    mocks: CredentialRoleMocks;
    partitionOfRegion: (region: string) => "aws" | "aws-cn" | "aws-us-gov";
    programs: Map<string, Program>;
    configKeys: Readonly<Record<string, unknown>>;
}

let runtime: Runtime | undefined;

function loadRuntime(): Runtime {
    if (runtime === undefined) {
        const pulumi = require("@pulumi/pulumi") as PulumiModule;
        const { CredentialRoleMocks: Mocks } = require("../components/testing") as typeof import("../components/testing");
        const { partitionOfRegion } = require("../components/policies") as typeof import("../components/policies");
        const { CONFIG_KEYS } = require("../components/stackConfig") as typeof import("../components/stackConfig");
        runtime = { pulumi, mocks: new Mocks({ accountId: "000000000000", partition: "aws" }), partitionOfRegion, programs: new Map(), configKeys: CONFIG_KEYS };
    }
    return runtime;
}

/**
 * Loads the program module once per path. A `.ts` program needs a TypeScript hook; when none is
 * registered (the compiled CLI), ts-node is registered without type-checking, as `Pulumi.yaml`'s
 * `nodeargs` does for `pulumi up`.
 */
function loadProgram(programPath: string, projectDir: string): Program {
    const { programs } = loadRuntime();
    let program = programs.get(programPath);
    if (program === undefined) {
        const resolved = resolveProgram(programPath);
        if (resolved.endsWith(".ts") && require.extensions[".ts"] === undefined) {
            (require("ts-node") as typeof import("ts-node")).register({ transpileOnly: true, project: path.join(projectDir, "tsconfig.json") });
        }
        let exported: unknown;
        try {
            exported = require(resolved) as unknown;
        } catch (error) {
            // Node appends the require stack to the first line; the first line names the module.
            const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
            throw new Error(`Cannot load the program ${resolved}: ${reason}`);
        }
        const candidate = typeof exported === "function" ? exported : (exported as { default?: unknown }).default;
        if (typeof candidate !== "function") {
            throw new Error(`The program ${resolved} does not export a function; plan evaluates programs written as export = async () => outputs.`);
        }
        program = candidate as Program;
        programs.set(programPath, program);
    }
    return program;
}

/**
 * Returns the program file: the path itself, or for a directory the file that Node.js would load
 * (package.json `main`, index.js), else its index.ts.
 */
function resolveProgram(programPath: string): string {
    try {
        return require.resolve(programPath);
    } catch (error) {
        const indexTs = path.join(programPath, "index.ts");
        if (fs.existsSync(indexTs)) {
            return indexTs;
        }
        const reason = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        throw new Error(`Cannot load the program ${programPath}: ${reason}`);
    }
}

/** Removes the prefixes that the SDK adds when an Output fails while a resource is serialized. */
export function cleanErrorMessage(error: unknown): string {
    let message = error instanceof Error ? error.message : String(error);
    for (;;) {
        const stripped = message.replace(/^error serializing property ["'][^"']*["']:\s*/i, "").replace(/^Running program '[^']*' failed with an unhandled exception:\s*/, "");
        if (stripped === message) {
            break;
        }
        message = stripped;
    }
    return message.trim();
}

/**
 * Replaces placeholders of secrets with `[secret]` in every string of a value, and unwraps the
 * SDK's secret envelopes (`{ <specialSigKey>: <specialSecretSig>, value }`) that mocks receive.
 */
function maskSecrets(value: unknown): unknown {
    const { pulumi } = loadRuntime();
    if (typeof value === "string") {
        return value.replace(PLACEHOLDER_PATTERN, SECRET_TEXT);
    }
    if (Array.isArray(value)) {
        return value.map(maskSecrets);
    }
    if (typeof value === "object" && value !== null) {
        const record = value as Record<string, unknown>;
        if (record[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) {
            return maskSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, maskSecrets(item)]));
    }
    return value;
}

/**
 * States an evaluation error for the stack: prefixes the stack name and names a component input
 * by its config key (the program passes each `cloudbreak-role:` key to the input of that name).
 */
function stackErrorMessage(config: StackConfig, error: unknown): string {
    const { configKeys } = loadRuntime();
    let message = cleanErrorMessage(error).replace(/^(Invalid|Missing) ([A-Za-z]+)(?=[\[ :])/, (whole, verb: string, input: string) =>
        input in configKeys ? `${verb} ${config.project}:${input}` : whole,
    );
    if (!message.startsWith("Stack ")) {
        message = `Stack ${config.stack}: ${message}`;
    }
    return maskSecrets(message) as string;
}

/** Chooses the error to report: a ValidationError (the program's own message) before any other. */
function pickError(errors: unknown[]): unknown {
    return errors.find((error) => (error as Error | undefined)?.name === "ValidationError") ?? errors[0];
}

/**
 * Evaluates the program for one stack under fresh mocks and configuration. Errors thrown
 * synchronously, from an Output, or as unhandled rejections are all caught here.
 */
async function evaluateStack(config: StackConfig): Promise<StackPlanResult> {
    const { pulumi, mocks, partitionOfRegion } = loadRuntime();
    const program = loadProgram(config.programPath, config.projectDir);
    const accountId = config.config[`${config.project}:accountId`] ?? "000000000000";
    const region = config.region ?? DEFAULT_REGION;
    const warnings: string[] = [];
    if (config.region === undefined) {
        warnings.push(
            `aws:region is not set, so plan assumes partition aws (region ${DEFAULT_REGION}). pulumi up uses the AWS provider's region instead, ` +
                `e.g. from AWS_REGION, and builds the role's ARNs in that region's partition. Set aws:region in ${path.basename(config.configFile)} to plan that partition.`,
        );
    }
    let partition: ReturnType<Runtime["partitionOfRegion"]>;
    try {
        partition = partitionOfRegion(region);
    } catch {
        // The program checks aws:region itself and reports an invalid value with the stack's name.
        partition = "aws";
    }

    mocks.reset({ accountId, partition, region });
    await pulumi.runtime.setMocks(mocks, config.project, config.stack, false);
    pulumi.runtime.setAllConfig(config.config, config.secretKeys);

    const errors: unknown[] = [];
    let reportFailure = () => undefined as void;
    const onRejection = (reason: unknown) => {
        errors.push(reason);
        reportFailure();
    };
    const savedSecretKeys = process.env.PULUMI_CONFIG_SECRET_KEYS;
    const savedWarn = console.warn;
    const savedStackTraceLimit = Error.stackTraceLimit;
    // Other listeners (a test runner's, say) would treat the program's errors as their own.
    const previousListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", onRejection);
    // The SDK captures a stack trace for each of its promises, for leak reports that plan never
    // prints. Without frames, each evaluation takes a fraction of the time (docs/benchmarks.md).
    Error.stackTraceLimit = 0;
    // The SDK prints log.warn with console.warn when no engine is attached, as under mocks.
    console.warn = (...args: unknown[]) => warnings.push(args.map(String).join(" ").replace(/^warning: \[runtime\] /, ""));
    // The program reads the secret keys from the environment, as the language host sets them.
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(config.secretKeys);

    let outputs: Record<string, unknown> | undefined;
    // A failed Output leaves the resources that depend on it, and so the stack outputs, pending
    // for ever; the first error ends the evaluation instead. The timer keeps the event loop alive
    // while the runtime has no other work queued.
    const keepAlive = setInterval(() => undefined, 60_000);
    const failed = new Promise<undefined>((resolve) => (reportFailure = () => resolve(undefined)));
    try {
        outputs = (await Promise.race([pulumi.runtime.runInPulumiStack(program), failed])) as Record<string, unknown> | undefined;
        if (errors.length === 0) {
            // The RPC queue never drains after a failure, because the failed resources never register.
            await Promise.race([(pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs(), failed]);
        }
    } catch (error) {
        errors.push(error);
    } finally {
        clearInterval(keepAlive);
        Error.stackTraceLimit = savedStackTraceLimit;
        // Node reports rejections after the microtask queue drains; wait until a turn adds none.
        let seen: number;
        do {
            seen = errors.length;
            await new Promise<void>((resolve) => setImmediate(resolve));
        } while (errors.length !== seen);
        process.off("unhandledRejection", onRejection);
        previousListeners.forEach((listener) => process.on("unhandledRejection", listener));
        console.warn = savedWarn;
        if (savedSecretKeys === undefined) {
            delete process.env.PULUMI_CONFIG_SECRET_KEYS;
        } else {
            process.env.PULUMI_CONFIG_SECRET_KEYS = savedSecretKeys;
        }
    }

    if (errors.length > 0 || outputs === undefined) {
        // Drops the pending operations of the failed evaluation, so that they neither hold memory
        // nor make the SDK report leaked promises when the process exits.
        await pulumi.runtime.setMocks(mocks, config.project, config.stack, false);
        return { stack: config.stack, error: stackErrorMessage(config, pickError(errors)) };
    }
    const resources = mocks.resources
        .filter((resource) => resource.type !== STACK_RESOURCE_TYPE)
        .map((resource) => ({
            type: resource.type,
            name: resource.name,
            ...(resource.importId === undefined ? {} : { importId: resource.importId }),
            inputs: maskSecrets(resource.inputs) as Record<string, unknown>,
        }));
    return { stack: config.stack, resources, outputs: maskSecrets(outputs) as Record<string, unknown>, warnings: warnings.map((w) => maskSecrets(w) as string) };
}

/**
 * Plans stacks in this process, one after another. Each result is either the plan or the one
 * message that explains why the stack is invalid; an invalid stack does not stop the others.
 */
export async function planStacks(requests: StackRequest[]): Promise<StackPlanResult[]> {
    const results: StackPlanResult[] = [];
    for (const request of requests) {
        try {
            results.push(await evaluateStack(loadStackConfig(request)));
        } catch (error) {
            if (error instanceof StackConfigError) {
                results.push({ stack: error.stack, error: error.message });
                continue;
            }
            // Any other error (a program that cannot be loaded, say) is this stack's verdict too.
            const stack = request.stack ?? (request.configFile ? stackNameOfFile(request.configFile) : undefined) ?? "(unknown)";
            const message = cleanErrorMessage(error);
            results.push({ stack, error: message.startsWith("Stack ") ? message : `Stack ${stack}: ${message}` });
        }
    }
    return results;
}

/** Lists a request for every `Pulumi.*.yaml` stack file of a project. */
export function allStackRequests(projectDir: string): StackRequest[] {
    return listStackFiles(projectDir).map((configFile) => ({ stack: stackNameOfFile(configFile), configFile, projectDir }));
}

const USAGE = `Usage: cloudbreak-role plan (--stack NAME | --config-file PATH | --all) [options]

Evaluates the program offline, under Pulumi's mock runtime, with a stack's configuration
(Pulumi.yaml defaults merged with Pulumi.<stack>.yaml) and prints what pulumi up would create
or import: each resource with its inputs, the trust and permissions policies and the stack
outputs. No AWS credentials, Pulumi CLI or backend are used. The mocked AWS account is the
stack's accountId, and its partition follows aws:region (aws when aws:region is not set).

Options:
  --stack NAME         Plan the stack whose file is Pulumi.NAME.yaml in the project directory
  --config-file PATH   Plan the stack file at PATH (stack name: the part between Pulumi. and .yaml)
  --all                Plan every Pulumi.*.yaml of the project directory, in one process
  --cwd DIR            Project directory, which holds Pulumi.yaml (default: current directory)
  --json               Print JSON: one object {stack, resources, outputs, warnings} or
                       {stack, error}, or with --all an array of such objects
  -h, --help           Print this help
Each option may be given once.

Output: + marks a resource that pulumi up would create, = one that it would import
(adoptExisting: true). The count in the first line covers every listed resource, including
the cloudbreak:aws:CredentialRole component. Warnings go to stderr, or with --json only into
the warnings field.

Secrets: plan cannot decrypt secure: values. A secret externalIds (a list entry or the whole
list) or description is checked through a placeholder that meets the key's rules and printed
as [secret]; any other secret cloudbreak-role key makes the stack invalid for plan (use
pulumi preview).

Exit status: 0 when every planned stack is valid, 1 when any is invalid (one message per
invalid stack on stderr) or on a usage error.
`;

interface PlanOptions {
    stack?: string;
    configFile?: string;
    all: boolean;
    json: boolean;
    cwd?: string;
    help: boolean;
}

class UsageError extends Error {}

const OPTION_ALIASES: Readonly<Record<string, string>> = { "-s": "--stack", "-h": "--help" };

function parseArguments(argv: string[]): PlanOptions {
    const options: PlanOptions = { all: false, json: false, help: false };
    const seen = new Set<string>();
    for (let index = 0; index < argv.length; index++) {
        const argument = argv[index];
        const [flag, inlineValue] = argument.startsWith("--") && argument.includes("=") ? [argument.slice(0, argument.indexOf("=")), argument.slice(argument.indexOf("=") + 1)] : [argument, undefined];
        const option = OPTION_ALIASES[flag] ?? flag;
        if (seen.has(option)) {
            throw new UsageError(`${option} is given twice. Give each option once; plan one stack with --stack or every stack with --all.`);
        }
        seen.add(option);
        const takeFlag = (): true => {
            if (inlineValue !== undefined) {
                throw new UsageError(`${flag} takes no value.`);
            }
            return true;
        };
        const takeValue = (): string => {
            const value = inlineValue ?? argv[++index];
            if (value === undefined || value === "") {
                throw new UsageError(`Missing value for ${flag}.`);
            }
            return value;
        };
        switch (flag) {
            case "--stack":
            case "-s":
                options.stack = takeValue();
                break;
            case "--config-file":
                options.configFile = takeValue();
                break;
            case "--cwd":
                options.cwd = takeValue();
                break;
            case "--all":
                options.all = takeFlag();
                break;
            case "--json":
                options.json = takeFlag();
                break;
            case "--help":
            case "-h":
                options.help = takeFlag();
                break;
            default:
                throw new UsageError(`Unknown option ${JSON.stringify(argument)}.`);
        }
    }
    if (!options.help) {
        if (options.all && (options.stack !== undefined || options.configFile !== undefined)) {
            throw new UsageError("--all plans every stack file; do not combine it with --stack or --config-file.");
        }
        if (!options.all && options.stack === undefined && options.configFile === undefined) {
            throw new UsageError("Choose the stack: --stack NAME, --config-file PATH or --all.");
        }
    }
    return options;
}

function indent(text: string, spaces: number): string {
    const padding = " ".repeat(spaces);
    return text
        .split("\n")
        .map((line) => (line === "" ? line : padding + line))
        .join("\n");
}

/** Renders a value: policy documents and other JSON text pretty-printed, the rest as JSON. */
function renderValue(value: unknown): string {
    if (typeof value === "string" && /^[[{]/.test(value)) {
        try {
            return JSON.stringify(JSON.parse(value), null, 2);
        } catch {
            // Not JSON: render as a string.
        }
    }
    return typeof value === "object" && value !== null ? JSON.stringify(value, null, 2) : JSON.stringify(value);
}

function renderEntry(key: string, value: unknown, spaces: number): string {
    const text = renderValue(value);
    return text.includes("\n") ? `${" ".repeat(spaces)}${key}:\n${indent(text, spaces + 2)}` : `${" ".repeat(spaces)}${key}: ${text}`;
}

function countResources(count: number): string {
    return `${count} ${count === 1 ? "resource" : "resources"}`;
}

/** States what pulumi up would do, counting every listed resource, the component included. */
export function summarizePlan(resources: PlannedResource[]): string {
    const imports = resources.filter((resource) => resource.importId !== undefined).length;
    const creates = resources.length - imports;
    if (imports === 0) {
        return `pulumi up would create ${countResources(creates)}`;
    }
    if (creates === 0) {
        return `pulumi up would import ${countResources(imports)}`;
    }
    return `pulumi up would import ${imports} and create ${countResources(creates)}`;
}

/** Renders a plan as text. */
export function renderPlanText(plan: StackPlan): string {
    const lines: string[] = [`Stack ${plan.stack}: ${summarizePlan(plan.resources)}`, ""];
    for (const resource of plan.resources) {
        lines.push(resource.importId === undefined ? `+ ${resource.type} ${resource.name}` : `= ${resource.type} ${resource.name} (import ${resource.importId})`);
        for (const [key, value] of Object.entries(resource.inputs)) {
            lines.push(renderEntry(key, value, 4));
        }
        lines.push("");
    }
    lines.push("Outputs:");
    for (const [key, value] of Object.entries(plan.outputs)) {
        lines.push(renderEntry(key, value, 2));
    }
    return `${lines.join("\n")}\n`;
}

/** Runs `cloudbreak-role plan` and returns the exit status. */
export async function runPlanCommand(argv: string[]): Promise<number> {
    let options: PlanOptions;
    try {
        options = parseArguments(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`${error.message}\n\n${USAGE}`);
            return 1;
        }
        throw error;
    }
    if (options.help) {
        process.stdout.write(USAGE);
        return 0;
    }

    const projectDir = path.resolve(options.cwd ?? process.cwd());
    let requests: StackRequest[];
    try {
        requests = options.all ? allStackRequests(projectDir) : [{ stack: options.stack, configFile: options.configFile, projectDir }];
    } catch (error) {
        if (error instanceof StackConfigError) {
            process.stderr.write(`${error.message}\n`);
            return 1;
        }
        throw error;
    }
    if (options.all && requests.length === 0) {
        process.stderr.write(`No stack files Pulumi.*.yaml in ${projectDir}.\n`);
        return 1;
    }

    const results = await planStacks(requests);
    // Errors go to stderr in both modes. Warnings go to stderr in text mode and only into the
    // JSON in JSON mode, so that stderr of a JSON run contains errors alone.
    for (const result of results) {
        if (isPlanError(result)) {
            process.stderr.write(`${result.error}\n`);
            continue;
        }
        if (!options.json) {
            for (const warning of result.warnings) {
                process.stderr.write(`warning: Stack ${result.stack}: ${warning}\n`);
            }
            process.stdout.write(renderPlanText(result));
            if (options.all) {
                process.stdout.write("\n");
            }
        }
    }
    if (options.json) {
        process.stdout.write(`${JSON.stringify(options.all ? results : results[0], null, 2)}\n`);
    }
    return results.some(isPlanError) ? 1 : 0;
}
