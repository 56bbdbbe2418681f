/**
 * `cloudbreak-role plan`: evaluates the real program offline, under Pulumi's mock runtime, for
 * one stack or every stack of the project, and prints what `pulumi up` would create.
 *
 * Every stack runs in this one process: the program module is loaded once and its exported
 * function is called again per stack, with fresh mocks and configuration each time.
 */
import * as path from "node:path";

import { parseOptions, reportUsageError, UsageError } from "./arguments";
import { cleanErrorMessage, evaluateStack } from "./planRuntime";
import { StackConfigError, StackRequest, defaultProjectDir, listStackFiles, loadStackConfig, stackNameOfFile } from "./stackFile";

export { SECRET_TEXT } from "./planRuntime";
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

/** The error of an invalid stack: one message that names the stack, the key, the value and the rule. */
export interface StackPlanError {
    stack: string;
    error: string;
}

export type StackPlanResult = StackPlan | StackPlanError;

/** True when the result is an error. */
export function isPlanError(result: StackPlanResult): result is StackPlanError {
    return "error" in result;
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
            // Any other error (a program that cannot be loaded, say) is this stack's error too.
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
  -s, --stack NAME     Plan the stack whose file is Pulumi.NAME.yaml in the project directory
  --config-file PATH   Plan the stack file at PATH (stack name: the part between Pulumi. and .yaml)
  --all                Plan every Pulumi.*.yaml of the project directory, in one process
  --cwd DIR            Project directory, which contains Pulumi.yaml (default: current directory)
  --json               Print JSON: one object {stack, resources, outputs, warnings} or
                       {stack, error}, or with --all an array of such objects
  -h, --help           Print this help
Each option may be given once.

Output: + marks a resource that pulumi up would create, = one that it would import
(adoptExisting: true). The count in the first line covers every listed resource, including
the cloudbreak:aws:CredentialRole component. Warnings go to stderr, or with --json only into
the warnings field.

Secrets: plan cannot decrypt secure: values. A secret externalIds (a list entry or the whole
list) is checked through a placeholder that meets the key's rules and printed as [secret]. The
program rejects a secret description, which IAM shows to anyone who may read the role; any
other secret cloudbreak-role key makes the stack invalid for plan (use pulumi preview).

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

function parseArguments(argv: string[]): PlanOptions {
    const values = parseOptions(argv, {
        stack: { type: "string", short: "s" },
        "config-file": { type: "string" },
        cwd: { type: "string" },
        all: { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
    });
    const options: PlanOptions = { stack: values.stack, configFile: values["config-file"], all: values.all, json: values.json, cwd: values.cwd, help: values.help };
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
        return reportUsageError(error, USAGE);
    }
    if (options.help) {
        process.stdout.write(USAGE);
        return 0;
    }

    // --all lists the stack files of the current directory; one stack may use the package's project.
    const projectDir = path.resolve(options.cwd ?? (options.all ? process.cwd() : defaultProjectDir()));
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
