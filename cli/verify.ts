/**
 * `cloudbreak-role verify`: checks a stack's live role the way Cloudbreak and CDP use it, with the
 * deployer account's credentials.
 *
 * Each check prints a PASS, FAIL or SKIP line. The caller must be in the deployer account. The
 * role must be assumable with the external ID, retried while IAM propagates a new role, and not
 * without it (CDP's confused-deputy check). Both AssumeRole checks are skipped on an endpoint that
 * lets anyone assume a role that does not exist. The role must exist, its live trust policy must
 * pass `lintTrustPolicy` and require the stack's external ID, and `iam:SimulatePrincipalPolicy`
 * must allow the preset's actions. Exit status: 0 when no check failed, 1 otherwise.
 */
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand, SimulatePrincipalPolicyCommandOutput } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, Credentials, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { randomBytes } from "node:crypto";

import { TrustLintOptions, lintTrustPolicy, requiredExternalIds } from "../components/checks";
import { Partition, PARTITIONS, PolicyDocument, REGION_RESTRICTION_SID, TrustPolicyDocument, statementActions } from "../components/policies";
import { UsageError, parseOptions, reportUsageError } from "./arguments";
import {
    StackPlan,
    accountOfArn,
    awsErrorStatus,
    createIamClient,
    createStsClient,
    decodePolicyDocument,
    describeAwsError,
    describeEndpoint,
    isAccessDenied,
    isNoSuchEntity,
    loadStackPlan,
    partitionOfArn,
} from "./awsClients";
import { SECRET_TEXT } from "./plan";

const USAGE = `Usage: cloudbreak-role verify (--stack NAME | --config-file PATH) [options]

Checks the live role of a stack with the deployer account's credentials: assumes it with the
external ID (session name cloudbreak-role-verify) and prints the assumed identity, expects
AssumeRole WITHOUT the external ID to fail, reads the role, lints its live trust policy, and
checks the preset's actions with iam:SimulatePrincipalPolicy.

After an AssumeRole succeeds, verify also calls AssumeRole on a random role name that does not
exist (cloudbreak-role-verify-probe-*). AWS rejects it with AccessDenied. An endpoint that accepts
it (an emulator such as moto) enforces no trust policy, so both AssumeRole checks print SKIP
there and the trust policy checks decide.

Options:
  -s, --stack NAME        The stack whose role to verify (Pulumi.NAME.yaml)
  --config-file PATH      Like --stack, with the stack configuration read from PATH
  --cwd DIR               Project directory, which contains Pulumi.yaml (default: current directory)
  --external-id VALUE     External ID to send, when the stack keeps externalIds secret
                          (default: the first of the stack's externalIds)
  --max-attempts N        Attempts of AssumeRole with the external ID while IAM propagates (default 6)
  --initial-delay-ms MS   Delay before the second attempt; it doubles per attempt, up to 20000 (default 1000)
  -h, --help              Print this help

Permissions: the deployer credentials need sts:AssumeRole on the role and sts:GetCallerIdentity.
iam:GetRole and iam:SimulatePrincipalPolicy on the role are tried with the assumed session first
(the cdp preset grants both, cloudbreak-2 grants iam:GetRole), then with the deployer credentials
(for iam:GetRole only when the role is in the deployer account).

Exit status: 0 when no check failed (SKIP lines do not fail), 1 when any check failed or on errors.
`;

const SESSION_NAME = "cloudbreak-role-verify";
const MAX_DELAY_MS = 20_000;
/** Actions per SimulatePrincipalPolicy request. */
const SIMULATION_BATCH_SIZE = 50;

type Outcome = "PASS" | "FAIL" | "SKIP";

interface CheckResult {
    outcome: Outcome;
    check: string;
    detail: string;
}

/** Records the result of one check. */
type RecordCheck = (outcome: Outcome, check: string, detail: string) => void;

export interface VerifyOptions {
    maxAttempts: number;
    initialDelayMs: number;
    externalId?: string;
}

function parseBoundedInteger(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
    if (text === undefined) {
        return fallback;
    }
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
        throw new UsageError(`Invalid ${name} ${JSON.stringify(text)}: it must be a whole number from ${min} to ${max}.`);
    }
    return value;
}

export async function runVerifyCommand(argv: string[]): Promise<number> {
    let values;
    let options: VerifyOptions;
    try {
        values = parseOptions(argv, {
            stack: { type: "string", short: "s" },
            "config-file": { type: "string" },
            cwd: { type: "string" },
            "external-id": { type: "string" },
            "max-attempts": { type: "string" },
            "initial-delay-ms": { type: "string" },
            help: { type: "boolean", short: "h" },
        });
        options = {
            maxAttempts: parseBoundedInteger("--max-attempts", values["max-attempts"], 6, 1, 20),
            initialDelayMs: parseBoundedInteger("--initial-delay-ms", values["initial-delay-ms"], 1000, 0, MAX_DELAY_MS),
            externalId: values["external-id"],
        };
    } catch (error) {
        return reportUsageError(error, USAGE);
    }
    if (values.help) {
        process.stdout.write(USAGE);
        return 0;
    }
    if ((values.stack === undefined) === (values["config-file"] === undefined)) {
        process.stderr.write(`Give the stack with either --stack NAME or --config-file PATH.\n\n${USAGE}`);
        return 1;
    }

    try {
        const plan = await loadStackPlan({ stack: values.stack, configFile: values["config-file"], projectDir: values.cwd });
        const results = await verifyRole(plan, options, (result) => process.stdout.write(`${result.outcome} ${result.check}: ${result.detail}\n`));
        const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
        process.stdout.write(`verify: ${count("PASS")} passed, ${count("FAIL")} failed, ${count("SKIP")} skipped\n`);
        return count("FAIL") > 0 ? 1 : 0;
    } catch (error) {
        process.stderr.write(`${describeAwsError(error)}\n`);
        return 1;
    }
}

function isPartition(value: string): value is Partition {
    return (PARTITIONS as readonly string[]).includes(value);
}

/** Returns the deployer account that the plan's trust policy names. */
function deployerAccountOf(trust: TrustPolicyDocument): string {
    const accounts = new Set<string>();
    for (const statement of trust.Statement) {
        const principal = statement.Principal;
        if (typeof principal !== "object") {
            continue;
        }
        for (const value of [principal.AWS ?? []].flat()) {
            accounts.add(/^\d{12}$/.test(value) ? value : accountOfArn(value));
        }
    }
    if (accounts.size !== 1) {
        const listed = accounts.size === 0 ? "" : ` (${[...accounts].join(", ")})`;
        throw new Error(
            `The plan's trust policy trusts ${accounts.size} AWS accounts${listed}, but verify needs exactly one deployer account. ` +
                "Make the program's trust policy trust only principals of cloudbreak-role:deployerAccountId.",
        );
    }
    return [...accounts][0];
}

function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Assumes the role, retrying AccessDenied with exponential backoff while IAM propagates a new role or trust policy. */
async function assumeWithRetries(
    sts: STSClient,
    roleArn: string,
    externalId: string,
    options: VerifyOptions,
): Promise<{ credentials?: Credentials; attempts: number; error?: unknown }> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
        try {
            const response = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME, ExternalId: externalId }));
            return { credentials: response.Credentials, attempts: attempt };
        } catch (error) {
            lastError = error;
            if (!isAccessDenied(error) || attempt === options.maxAttempts) {
                return { attempts: attempt, error };
            }
            await sleep(Math.min(options.initialDelayMs * 2 ** (attempt - 1), MAX_DELAY_MS));
        }
    }
    return { attempts: options.maxAttempts, error: lastError };
}

function sessionCredentials(credentials: Credentials) {
    return {
        accessKeyId: credentials.AccessKeyId ?? "",
        secretAccessKey: credentials.SecretAccessKey ?? "",
        sessionToken: credentials.SessionToken,
    };
}

/** Runs a call with the assumed session's client first and, when that is denied, with the deployer's. */
async function withFallback<T>(clients: IAMClient[], call: (iam: IAMClient) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const iam of clients) {
        try {
            return await call(iam);
        } catch (error) {
            lastError = error;
            if (!isAccessDenied(error)) {
                throw error;
            }
        }
    }
    throw lastError;
}

/** Runs every check on the stack's live role and reports each result through `report` as it completes. */
export async function verifyRole(plan: StackPlan, options: VerifyOptions, report: (result: CheckResult) => void): Promise<CheckResult[]> {
    const results: CheckResult[] = [];
    const record: RecordCheck = (outcome, check, detail) => {
        const result = { outcome, check, detail };
        results.push(result);
        report(result);
    };

    const { roleArn } = plan.outputs;
    const partition = partitionOfArn(roleArn);
    if (!isPartition(partition)) {
        throw new Error(
            `The plan's role ARN ${roleArn} has an unknown partition ${JSON.stringify(partition)}. ` +
                `Make the program build roleArn in one of the partitions ${PARTITIONS.join(", ")}, from the stack's aws:region.`,
        );
    }
    const plannedTrust = JSON.parse(plan.outputs.trustPolicy) as TrustPolicyDocument;
    const deployerAccountId = deployerAccountOf(plannedTrust);
    const externalId = options.externalId ?? plan.outputs.externalIds[0];
    if (externalId === undefined || externalId === SECRET_TEXT) {
        throw new Error(`The externalIds of stack ${plan.stack} are secret, and plan cannot decrypt them: pass the external ID with --external-id.`);
    }

    const sts = createStsClient();
    const deployerIam = createIamClient();

    // 1. The caller must be in the deployer account, which the trust policy names.
    await checkDeployerCredentials(sts, deployerAccountId, record);

    // 2. AssumeRole with the external ID, as Cloudbreak does it. An endpoint that lets anyone
    // assume a role that does not exist (moto 5, for one) enforces no trust policy, so there a
    // success proves only that the deployer credentials may call sts:AssumeRole.
    const roleAccountId = accountOfArn(roleArn);
    const enforcesTrust = memoize(() => endpointEnforcesTrust(sts, partition, roleAccountId));
    const notEnforced = `${describeEndpoint("STS")} does not enforce trust policies (it allowed AssumeRole on a role that does not exist)`;
    const sessionIam = await checkAssumeWithExternalId(sts, plan, externalId, options, enforcesTrust, notEnforced, record);

    // 3. AssumeRole without the external ID must fail, as CDP requires of a cross-account role.
    await checkAssumeWithoutExternalId(sts, roleArn, enforcesTrust, notEnforced, record);

    // 4. The live role. IAM reads roles of the caller's own account only, so the deployer
    // credentials can stand in for the assumed session only when the role is in their account.
    const roleReaders = [...(sessionIam ? [sessionIam] : []), ...(roleAccountId === deployerAccountId ? [deployerIam] : [])];
    const lintOptions: TrustLintOptions = { deployerAccountId, partition };
    if (!(await checkLiveRole(roleReaders, plan, externalId, lintOptions, record))) {
        // The remaining checks read the role, so they would only repeat this failure.
        return results;
    }

    // 5. The preset's actions through the IAM policy simulator.
    // NOTE: the deployer fallback simulates in the deployer account, which may not see a role of another account.
    const simulationClients = [...(sessionIam ? [sessionIam] : []), deployerIam];
    await checkSimulation(simulationClients, roleArn, JSON.parse(plan.outputs.permissionsPolicy) as PolicyDocument, record);
    return results;
}

async function checkDeployerCredentials(sts: STSClient, deployerAccountId: string, record: RecordCheck): Promise<void> {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    if (caller.Account === deployerAccountId) {
        record("PASS", "deployer credentials", `caller ${caller.Arn} is in deployer account ${deployerAccountId}`);
    } else {
        record("FAIL", "deployer credentials", `caller ${caller.Arn} is in account ${caller.Account}, not deployer account ${deployerAccountId}; run verify with credentials of the deployer account`);
    }
}

/**
 * Assumes the role with the external ID and checks the session's identity. Returns an IAM client
 * of the assumed session, or undefined when AssumeRole failed.
 */
async function checkAssumeWithExternalId(
    sts: STSClient,
    plan: StackPlan,
    externalId: string,
    options: VerifyOptions,
    enforcesTrust: () => Promise<boolean>,
    notEnforced: string,
    record: RecordCheck,
): Promise<IAMClient | undefined> {
    const { roleArn, roleName } = plan.outputs;
    const assumed = await assumeWithRetries(sts, roleArn, externalId, options);
    const attemptsText = `${assumed.attempts} ${assumed.attempts === 1 ? "attempt" : "attempts"}`;
    const sessionIam = assumed.credentials ? createIamClient({ credentials: sessionCredentials(assumed.credentials) }) : undefined;
    if (!assumed.credentials) {
        record("FAIL", "assume role with external ID", `${describeAwsError(assumed.error)} (after ${attemptsText})`);
    } else if (!(await enforcesTrust())) {
        record(
            "SKIP",
            "assume role with external ID",
            `${notEnforced}, so its success proves only that the deployer credentials can call sts:AssumeRole, not that the role accepts the external ID; the trust policy checks decide instead`,
        );
        record("SKIP", "assumed session identity", `${notEnforced}, so the session's identity says nothing about the role`);
    } else {
        record("PASS", "assume role with external ID", `assumed ${roleArn} after ${attemptsText}`);
        const sessionSts = createStsClient({ credentials: sessionCredentials(assumed.credentials) });
        const session = await sessionSts.send(new GetCallerIdentityCommand({}));
        const expectedSessionArn = `arn:${partitionOfArn(roleArn)}:sts::${accountOfArn(roleArn)}:assumed-role/${roleName}/${SESSION_NAME}`;
        if (session.Arn === expectedSessionArn) {
            record("PASS", "assumed session identity", `${session.Arn}`);
        } else {
            record("FAIL", "assumed session identity", `the session is ${session.Arn}, expected ${expectedSessionArn}`);
        }
    }
    return sessionIam;
}

/**
 * Reads the live role with the first of `readers` that IAM allows, and checks its trust policy.
 * Returns false when the role does not exist.
 */
async function checkLiveRole(readers: IAMClient[], plan: StackPlan, externalId: string, lintOptions: TrustLintOptions, record: RecordCheck): Promise<boolean> {
    const { roleName, roleArn } = plan.outputs;
    const roleAccountId = accountOfArn(roleArn);
    if (readers.length === 0) {
        record(
            "SKIP",
            "live role",
            `no credentials of account ${roleAccountId} to read ${roleName} with: AssumeRole failed, and the deployer credentials are in account ${lintOptions.deployerAccountId}`,
        );
        return true;
    }
    let liveTrust: TrustPolicyDocument | undefined;
    try {
        const role = await withFallback(readers, (iam) => iam.send(new GetRoleCommand({ RoleName: roleName })));
        liveTrust = decodePolicyDocument<TrustPolicyDocument>(role.Role?.AssumeRolePolicyDocument ?? "{}");
        record("PASS", "live role", `read ${roleName} in account ${roleAccountId}`);
    } catch (error) {
        if (isNoSuchEntity(error)) {
            record(
                "FAIL",
                "live role",
                `role ${roleName} does not exist in account ${roleAccountId} at ${describeEndpoint("IAM")}; ` +
                    `create it with pulumi up on stack ${plan.stack}, or correct the stack's roleName and accountId`,
            );
            return false;
        }
        record("FAIL", "live role", `failed to read ${roleName}: ${describeAwsError(error)}`);
    }
    if (liveTrust !== undefined) {
        const externalIdsSecret = plan.outputs.externalIds.includes(SECRET_TEXT);
        checkLiveTrust(liveTrust, { ...lintOptions, showExternalIds: !externalIdsSecret }, externalId, record);
    }
    return true;
}

async function checkAssumeWithoutExternalId(
    sts: STSClient,
    roleArn: string,
    enforcesTrust: () => Promise<boolean>,
    notEnforced: string,
    record: RecordCheck,
): Promise<void> {
    const check = "assume role without external ID";
    try {
        await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME }));
    } catch (error) {
        if (isAccessDenied(error)) {
            record("PASS", check, "rejected with AccessDenied, as required");
        } else {
            record("FAIL", check, `expected AccessDenied, got ${describeAwsError(error)}`);
        }
        return;
    }
    if (await enforcesTrust()) {
        record("FAIL", check, `${roleArn} can be assumed without the external ID, so anyone in the trusted account can use it through Cloudbreak (confused deputy); require sts:ExternalId in every Allow statement of the trust policy`);
    } else {
        record("SKIP", check, `${notEnforced}, so this check cannot be proven here; the trust policy lint decides instead`);
    }
}

/**
 * Returns false when STS lets the caller assume a role that does not exist, which shows that the
 * endpoint evaluates no trust policy. Any error (AWS returns AccessDenied) counts as enforcing.
 */
async function endpointEnforcesTrust(sts: STSClient, partition: string, accountId: string): Promise<boolean> {
    const probeArn = `arn:${partition}:iam::${accountId}:role/cloudbreak-role-verify-probe-${randomBytes(6).toString("hex")}`;
    try {
        await sts.send(new AssumeRoleCommand({ RoleArn: probeArn, RoleSessionName: SESSION_NAME }));
        return false;
    } catch {
        return true;
    }
}

/** Returns a function that runs `compute` on its first call and returns that first result ever after. */
function memoize<T>(compute: () => Promise<T>): () => Promise<T> {
    let result: Promise<T> | undefined;
    return () => (result ??= compute());
}

/**
 * Checks the live trust policy: the same fail-closed lint as the component's, and the external ID
 * that verify sent. The lint shows an invalid external ID only when `lintOptions.showExternalIds` is set.
 */
export function checkLiveTrust(liveTrust: TrustPolicyDocument, lintOptions: TrustLintOptions, externalId: string, record: RecordCheck): void {
    try {
        lintTrustPolicy(liveTrust, lintOptions);
        record("PASS", "trust policy lint", "every Allow statement requires an external ID and trusts only the deployer account");
    } catch (error) {
        record("FAIL", "trust policy lint", (error as Error).message);
    }
    const statements = Array.isArray(liveTrust.Statement) ? liveTrust.Statement : [];
    const required = statements.filter((statement) => statement.Effect === "Allow").flatMap((statement) => requiredExternalIds(statement.Condition));
    if (required.includes(externalId)) {
        record("PASS", "trust policy external ID", "the live trust policy requires the external ID that verify sent");
    } else {
        record("FAIL", "trust policy external ID", "the live trust policy does not require the external ID that verify sent");
    }
}

/** Returns the regions of the region restriction statement, when the policy has one. */
function restrictedRegions(policy: PolicyDocument): string[] {
    const statement = policy.Statement.find((candidate) => candidate.Sid === REGION_RESTRICTION_SID);
    const regions = statement?.Condition?.StringNotEquals?.["aws:RequestedRegion"];
    return regions === undefined ? [] : [regions].flat().map(String);
}

async function checkSimulation(
    iamClients: IAMClient[],
    roleArn: string,
    policy: PolicyDocument,
    record: RecordCheck,
): Promise<void> {
    const check = "permissions simulation";
    const allActions = [...new Set(policy.Statement.filter((statement) => statement.Effect === "Allow").flatMap(statementActions))];
    // NOTE: actions with wildcards (the cloudbreak-1 preset's ec2:* and others) are not simulated.
    const actions = allActions.filter((action) => !action.includes("*"));
    const wildcardCount = allActions.length - actions.length;
    const wildcardText = wildcardCount > 0 ? `; ${wildcardCount} wildcard ${wildcardCount === 1 ? "action was" : "actions were"} not simulated` : "";
    if (actions.length === 0) {
        record("SKIP", check, `the policy has no action without a wildcard to simulate${wildcardText}`);
        return;
    }
    // The region restriction denies requests outside its regions, so simulate inside the first one.
    const regions = restrictedRegions(policy);
    const contextEntries = regions.length > 0 ? [{ ContextKeyName: "aws:RequestedRegion", ContextKeyType: "string" as const, ContextKeyValues: [regions[0]] }] : undefined;

    const denied: string[] = [];
    try {
        for (let start = 0; start < actions.length; start += SIMULATION_BATCH_SIZE) {
            const batch = actions.slice(start, start + SIMULATION_BATCH_SIZE);
            let marker: string | undefined;
            do {
                const page: SimulatePrincipalPolicyCommandOutput = await withFallback(iamClients, (iam) =>
                    iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: roleArn, ActionNames: batch, ContextEntries: contextEntries, Marker: marker })),
                );
                for (const result of page.EvaluationResults ?? []) {
                    if (result.EvalDecision !== "allowed") {
                        denied.push(`${result.EvalActionName} (${result.EvalDecision})`);
                    }
                }
                marker = page.IsTruncated ? page.Marker : undefined;
            } while (marker);
        }
    } catch (error) {
        if (isAccessDenied(error)) {
            record("SKIP", check, `neither the assumed session nor the deployer credentials may call iam:SimulatePrincipalPolicy on the role: ${describeAwsError(error)}`);
        } else if ((awsErrorStatus(error) ?? 0) >= 500) {
            record("SKIP", check, `${describeEndpoint("IAM")} did not run iam:SimulatePrincipalPolicy (HTTP ${awsErrorStatus(error)})`);
        } else if (/not ?implemented/i.test(describeAwsError(error))) {
            record("SKIP", check, `${describeEndpoint("IAM")} did not run iam:SimulatePrincipalPolicy (${describeAwsError(error).split("\n")[0]})`);
        } else {
            record("FAIL", check, describeAwsError(error));
        }
        return;
    }
    if (denied.length > 0) {
        record("FAIL", check, `${denied.length} of ${actions.length} actions are denied: ${denied.join(", ")}${wildcardText}`);
    } else {
        record("PASS", check, `all ${actions.length} actions are allowed${wildcardText}`);
    }
}
