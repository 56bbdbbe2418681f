/**
 * The evaluation behind `cloudbreak-role plan`: loads the program once per path and runs it for
 * one stack under Pulumi's mock runtime, with fresh mocks and configuration, and masks secrets in
 * what it returns.
 */
import * as fs from "node:fs";
import * as path from "node:path";

import type { Partition } from "../components/policies";
import type { CredentialRoleMocks } from "../components/testing";
import type { StackPlanResult } from "./plan";
import { PLACEHOLDER_PREFIX, StackConfig } from "./stackFile";

/** The text that plan prints in place of a secret value. */
export const SECRET_TEXT = "[secret]";
const PLACEHOLDER_PATTERN = new RegExp(`${PLACEHOLDER_PREFIX}\\d+`, "g");
const STACK_RESOURCE_TYPE = "pulumi:pulumi:Stack";
const DEFAULT_REGION = "us-east-1";

type PulumiModule = typeof import("@pulumi/pulumi");
type Program = () => Promise<Record<string, unknown>>;

/** Modules loaded on first use, so `--help` and usage errors start fast. */
interface Runtime {
    pulumi: PulumiModule;
    mocks: CredentialRoleMocks;
    partitionOfRegion: (region: string) => Partition;
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
        // NOTE: the envelope's keys are SDK internals, checked against @pulumi/pulumi 3.248.
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
export async function evaluateStack(config: StackConfig): Promise<StackPlanResult> {
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
    // partitionOfRegion maps any string, so an invalid aws:region reaches the program, which reports it with the stack's name.
    const partition: Partition = partitionOfRegion(region);

    mocks.reset({ accountId, partition, region });
    await pulumi.runtime.setMocks(mocks, config.project, config.stack, false);
    pulumi.runtime.setAllConfig(config.config, config.secretKeys);

    const errors: unknown[] = [];
    let reportFailure = () => undefined as void;
    const onRejection = (reason: unknown) => {
        errors.push(reason);
        reportFailure();
    };
    const restoreProcessState = isolateProcessState(config.secretKeys, onRejection, (text) => warnings.push(text));

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
            // NOTE: waitForRPCs is not in the SDK's typings; checked against @pulumi/pulumi 3.248.
            await Promise.race([(pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs(), failed]);
        }
    } catch (error) {
        errors.push(error);
    } finally {
        clearInterval(keepAlive);
        // Node reports rejections after the microtask queue drains; wait until a turn adds none.
        let seen: number;
        do {
            seen = errors.length;
            await new Promise<void>((resolve) => setImmediate(resolve));
        } while (errors.length !== seen);
        restoreProcessState();
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
 * Points the process-wide state that the SDK and the program read at one evaluation, and returns
 * a function that restores the previous state: the unhandledRejection listeners, console.warn,
 * Error.stackTraceLimit and PULUMI_CONFIG_SECRET_KEYS.
 */
function isolateProcessState(secretKeys: string[], onRejection: (reason: unknown) => void, onWarning: (text: string) => void): () => void {
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
    console.warn = (...args: unknown[]) => onWarning(args.map(String).join(" ").replace(/^warning: \[runtime\] /, ""));
    // The program reads the secret keys from the environment, as the language host sets them.
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);

    return () => {
        Error.stackTraceLimit = savedStackTraceLimit;
        process.off("unhandledRejection", onRejection);
        previousListeners.forEach((listener) => process.on("unhandledRejection", listener));
        console.warn = savedWarn;
        if (savedSecretKeys === undefined) {
            delete process.env.PULUMI_CONFIG_SECRET_KEYS;
        } else {
            process.env.PULUMI_CONFIG_SECRET_KEYS = savedSecretKeys;
        }
    };
}
