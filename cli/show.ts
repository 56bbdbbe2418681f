/**
 * `cloudbreak-role show`: prints a live role and, given a stack, its drift from the stack's plan.
 *
 * Exit status: 0 when the role was printed (and equals the plan), 2 when it differs from the
 * plan, 1 on errors such as a role that does not exist or credentials of another account than the
 * stack's.
 */
import { DEFAULT_ROLE_NAME } from "../components/resolveArgs";
import { validateRoleName } from "../components/validation";
import { parseOptions, reportUsageError } from "./arguments";
import {
    LiveRole,
    RoleNotFoundError,
    WrongAccountError,
    callerAccountId,
    createIamClient,
    createStsClient,
    describeAwsError,
    loadStackPlan,
    readLiveRole,
    requireEndUserAccount,
} from "./awsClients";
import { compareRoleToPlan, formatDrift } from "./drift";
import { SECRET_TEXT } from "./plan";

const USAGE = `Usage: cloudbreak-role show [--role-name NAME | --stack NAME | --config-file PATH] [--cwd DIR] [--json]

Prints a live IAM role: ARN, path, maximum session duration, permissions boundary, tags, every
trust statement's principals and conditions, the inline policies and the attached managed
policies with their default version's document.

Options:
  --role-name NAME     Role to read (default ${DEFAULT_ROLE_NAME})
  -s, --stack NAME     Read the stack's role (its roleName) and report its drift from the stack's plan
  --config-file PATH   Like --stack, with the stack configuration read from PATH
  --cwd DIR            Project directory, which contains Pulumi.yaml (default: current directory)
  --json               Print JSON instead of text
  -h, --help           Print this help

AWS access comes from the standard environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL and the
default credential chain); it needs iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy,
iam:ListAttachedRolePolicies, iam:GetPolicy and iam:GetPolicyVersion in the end-user account.
With a stack, the credentials must belong to the stack's accountId (checked with
sts:GetCallerIdentity).

Exit status: 0 printed (and equal to the plan), 2 the live role differs from the plan, 1 error
(including an invalid role name and credentials of another account than the stack's).
`;

export async function runShowCommand(argv: string[]): Promise<number> {
    let options;
    try {
        options = parseOptions(argv, {
            "role-name": { type: "string" },
            stack: { type: "string", short: "s" },
            "config-file": { type: "string" },
            cwd: { type: "string" },
            json: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        });
    } catch (error) {
        return reportUsageError(error, USAGE);
    }
    if (options.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    const selection = { stack: options.stack, configFile: options["config-file"], projectDir: options.cwd };
    const hasStack = selection.stack !== undefined || selection.configFile !== undefined;
    if (hasStack && options["role-name"] !== undefined) {
        process.stderr.write("Give either --role-name or a stack (--stack or --config-file), not both: a stack names its role.\n");
        return 1;
    }
    if (selection.stack !== undefined && selection.configFile !== undefined) {
        process.stderr.write("Give either --stack or --config-file, not both.\n");
        return 1;
    }

    if (options["role-name"] !== undefined) {
        try {
            validateRoleName(options["role-name"], "--role-name");
        } catch (error) {
            process.stderr.write(`${(error as Error).message}\n`);
            return 1;
        }
    }

    try {
        const plan = hasStack ? await loadStackPlan(selection) : undefined;
        const roleName = plan ? plan.outputs.roleName : options["role-name"] ?? DEFAULT_ROLE_NAME;
        const sts = createStsClient();
        // A role read in another account would differ from the plan only in its ARN, which reads as drift.
        const endUserAccountId = plan ? await requireEndUserAccount(sts, plan) : undefined;
        const live = await readLiveRole(createIamClient(), roleName, async () => endUserAccountId ?? (await callerAccountId(sts)));
        const drift = plan ? compareRoleToPlan(live, plan) : undefined;
        if (plan && plan.outputs.externalIds.includes(SECRET_TEXT)) {
            process.stderr.write(`The externalIds of stack ${plan.stack} are secret, so show compares where the trust policy requires an external ID but not its value.\n`);
        }

        if (options.json) {
            const report: Record<string, unknown> = { role: live };
            if (plan) {
                report.stack = plan.stack;
                report.drift = drift;
            }
            process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        } else {
            process.stdout.write(formatRole(live));
            if (plan && drift) {
                process.stdout.write(formatDrift(plan.stack, drift));
            }
        }
        return drift && drift.length > 0 ? 2 : 0;
    } catch (error) {
        const message = error instanceof RoleNotFoundError || error instanceof WrongAccountError ? error.message : describeAwsError(error);
        process.stderr.write(`${message}\n`);
        return 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Text output

function formatValues(values: unknown): string {
    return (Array.isArray(values) ? values : [values]).map(String).join(", ");
}

function formatPrincipal(principal: unknown): string[] {
    if (typeof principal !== "object" || principal === null) {
        return [`Principal: ${String(principal)}`];
    }
    return Object.entries(principal).map(([type, values]) => `Principal ${type}: ${formatValues(values)}`);
}

function formatCondition(condition: unknown): string[] {
    if (typeof condition !== "object" || condition === null) {
        return [];
    }
    return Object.entries(condition).flatMap(([operator, block]) =>
        Object.entries((block ?? {}) as Record<string, unknown>).map(([key, values]) => `Condition ${operator} ${key}: ${formatValues(values)}`),
    );
}

function indentDocument(document: unknown, indent: string): string {
    return JSON.stringify(document, null, 2)
        .split("\n")
        .map((line) => `${indent}${line}`)
        .join("\n");
}

/** Renders a live role as text. */
export function formatRole(role: LiveRole): string {
    const lines: string[] = [];
    lines.push(`Role ${role.name}`);
    lines.push(`  ARN: ${role.arn}`);
    lines.push(`  Path: ${role.path}`);
    if (role.description !== undefined) {
        lines.push(`  Description: ${role.description}`);
    }
    lines.push(`  Max session duration: ${role.maxSessionDuration ?? "unknown"} s`);
    lines.push(`  Permissions boundary: ${role.permissionsBoundaryArn ?? "none"}`);
    const tagEntries = Object.entries(role.tags);
    lines.push(`  Tags: ${tagEntries.length === 0 ? "none" : tagEntries.map(([key, value]) => `${key}=${value}`).join(", ")}`);

    const statements = Array.isArray(role.trustPolicy.Statement) ? role.trustPolicy.Statement : [];
    lines.push(`Trust policy (${statements.length} ${statements.length === 1 ? "statement" : "statements"}):`);
    statements.forEach((statement, index) => {
        const raw = statement as unknown as Record<string, unknown>;
        const sid = statement.Sid ? ` (Sid ${statement.Sid})` : "";
        lines.push(`  Statement ${index}${sid}: ${statement.Effect} ${formatValues(statement.Action ?? raw.NotAction ?? [])}`);
        if (raw.NotPrincipal !== undefined) {
            lines.push(...formatPrincipal(raw.NotPrincipal).map((line) => `    Not${line}`));
        }
        if (statement.Principal !== undefined) {
            lines.push(...formatPrincipal(statement.Principal).map((line) => `    ${line}`));
        }
        lines.push(...formatCondition(statement.Condition).map((line) => `    ${line}`));
    });

    lines.push(`Inline policies (${role.inlinePolicies.length}):${role.inlinePolicies.length === 0 ? " none" : ""}`);
    for (const policy of role.inlinePolicies) {
        lines.push(`  ${policy.name}:`);
        lines.push(indentDocument(policy.document, "    "));
    }

    lines.push(`Attached managed policies (${role.attachedPolicies.length}):${role.attachedPolicies.length === 0 ? " none" : ""}`);
    for (const policy of role.attachedPolicies) {
        lines.push(`  ${policy.arn} (default version ${policy.defaultVersionId ?? "unknown"}):`);
        if (policy.document !== undefined) {
            lines.push(indentDocument(policy.document, "    "));
        }
    }
    return `${lines.join("\n")}\n`;
}
