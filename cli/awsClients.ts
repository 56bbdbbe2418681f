/**
 * Shared code of `show` and `verify`: AWS clients built from the standard AWS environment, stack
 * selection and plan loading, and a reader of a live role through the IAM API.
 */
import {
    GetPolicyCommand,
    GetPolicyVersionCommand,
    GetRoleCommand,
    GetRolePolicyCommand,
    IAMClient,
    IAMClientConfig,
    ListAttachedRolePoliciesCommand,
    ListAttachedRolePoliciesCommandOutput,
    ListRolePoliciesCommand,
    ListRolePoliciesCommandOutput,
} from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import * as path from "node:path";

import type { PolicyDocument, TrustPolicyDocument } from "../components/policies";
import { PlannedResource, isPlanError, planStacks } from "./plan";
import { defaultProjectDir } from "./stackFile";

/** Settings that every AWS client of the CLI takes. */
export interface AwsClientOptions {
    /** Credentials to use in place of the SDK's default chain, e.g. an assumed session. */
    credentials?: IAMClientConfig["credentials"];
}

/**
 * Returns the region for the clients: `AWS_REGION`, else `AWS_DEFAULT_REGION` (the aws CLI's
 * variable), else undefined so that the SDK reads the profile's region.
 */
function regionFromEnvironment(): string | undefined {
    return process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || undefined;
}

/** The variable that turns off the SDK's warning that its releases after January 2027 need Node 22. */
const NODE_VERSION_WARNING_VARIABLE = "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED";

/**
 * Turns off the AWS SDK's NodeVersionSupportWarning, which @aws-sdk/core 3.x prints on every run
 * under Node 20 and which this package (engines node >= 20) cannot act on. The SDK reads the
 * variable when a client is created and accepts only the value `true`. A value that the user set,
 * such as `false`, is kept.
 */
function disableNodeVersionWarning(): void {
    if (process.env[NODE_VERSION_WARNING_VARIABLE] === undefined) {
        process.env[NODE_VERSION_WARNING_VARIABLE] = "true";
    }
}

/**
 * Creates an IAM client. Endpoint, profile and credentials come from the SDK's defaults, which
 * read `AWS_ENDPOINT_URL_IAM`, `AWS_ENDPOINT_URL`, `AWS_PROFILE` and the default credential chain.
 */
export function createIamClient(options: AwsClientOptions = {}): IAMClient {
    disableNodeVersionWarning();
    return new IAMClient({ region: regionFromEnvironment(), credentials: options.credentials });
}

/** Creates an STS client with the same environment rules as {@link createIamClient}. */
export function createStsClient(options: AwsClientOptions = {}): STSClient {
    disableNodeVersionWarning();
    return new STSClient({ region: regionFromEnvironment(), credentials: options.credentials });
}

/** Describes the endpoint of a service for messages, from the variables that the SDK reads. */
export function describeEndpoint(service: "IAM" | "STS"): string {
    const endpoint = process.env[`AWS_ENDPOINT_URL_${service}`] || process.env.AWS_ENDPOINT_URL;
    return endpoint ? `${service} endpoint ${endpoint}` : `the default ${service} endpoint`;
}

/**
 * Describes the IAM and STS endpoints together for connection errors, which do not say which
 * client failed: one URL when both services use it, else each service's endpoint.
 */
export function describeEndpoints(): string {
    const iam = process.env.AWS_ENDPOINT_URL_IAM || process.env.AWS_ENDPOINT_URL;
    const sts = process.env.AWS_ENDPOINT_URL_STS || process.env.AWS_ENDPOINT_URL;
    if (iam === undefined && sts === undefined) {
        return "the default AWS endpoints of IAM and STS";
    }
    if (iam === sts) {
        return `AWS endpoint ${iam}`;
    }
    return `${describeEndpoint("IAM")} and ${describeEndpoint("STS")}`;
}

/** Error codes of Node's network stack for a connection that failed or broke before a response. */
const CONNECTION_ERROR_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT"]);

/** Returns the error's Node network error code (`ECONNREFUSED`, ...), or undefined for any other error. */
function connectionErrorCode(error: unknown): string | undefined {
    const code = (error as { code?: unknown } | undefined)?.code;
    return typeof code === "string" && CONNECTION_ERROR_CODES.has(code) ? code : undefined;
}

/** Returns the name of an AWS SDK error (`NoSuchEntity`, `AccessDenied`, ...) or an empty string. */
export function awsErrorName(error: unknown): string {
    return error instanceof Error ? error.name : "";
}

/** Returns the HTTP status code of an AWS SDK error, when the service sent a response. */
export function awsErrorStatus(error: unknown): number | undefined {
    const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
    return metadata?.httpStatusCode;
}

/**
 * Returns an error's message, prefixed with its AWS error name when it has one. A failed
 * connection and credentials that the SDK could not load get a message that names the endpoint or
 * the credential settings to check.
 */
export function describeAwsError(error: unknown): string {
    if (!(error instanceof Error)) {
        return String(error);
    }
    const code = connectionErrorCode(error);
    if (code !== undefined) {
        return (
            `Cannot connect to ${describeEndpoints()}: ${error.message}. ` +
            "Check that the endpoint is running and reachable, and the endpoint settings AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS and AWS_REGION."
        );
    }
    if (error.name === "CredentialsProviderError") {
        return (
            `No AWS credentials: ${error.message}. ` +
            "Set AWS_PROFILE to a profile of ~/.aws/config or ~/.aws/credentials, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
            "(with AWS_SESSION_TOKEN for temporary credentials), or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or run where an instance or container role provides them."
        );
    }
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message}`;
}

/** True when IAM or STS rejected the request for lack of permission. */
export function isAccessDenied(error: unknown): boolean {
    const name = awsErrorName(error);
    return name === "AccessDenied" || name === "AccessDeniedException" || name === "UnauthorizedOperation";
}

/** True when IAM reports that the requested entity (a role, a policy) does not exist. */
export function isNoSuchEntity(error: unknown): boolean {
    const name = awsErrorName(error);
    return name === "NoSuchEntity" || name === "NoSuchEntityException";
}

/**
 * Parses a policy document as IAM returns it. IAM URL-encodes (RFC 3986) the documents of
 * GetRole, GetRolePolicy and GetPolicyVersion; emulators sometimes return plain JSON.
 */
export function decodePolicyDocument<T = PolicyDocument<Record<string, unknown>>>(text: string): T {
    try {
        return JSON.parse(text) as T;
    } catch {
        return JSON.parse(decodeURIComponent(text)) as T;
    }
}

/** Returns the account ID of the caller's credentials, or undefined when the STS call fails. */
export async function callerAccountId(sts: STSClient): Promise<string | undefined> {
    try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Account;
    } catch {
        return undefined;
    }
}

// ---------------------------------------------------------------------------------------------
// Stack options and the stack's plan

/** The outputs of the program for one stack, as the offline plan computes them. */
export interface StackPlanOutputs {
    /** The end-user account of the stack (`cloudbreak-role:accountId`). */
    accountId: string;
    roleArn: string;
    roleName: string;
    /** The external IDs, or `[secret]` entries when the stack keeps them secret. */
    externalIds: string[];
    /** Minified JSON; secret external IDs appear as `[secret]`. */
    trustPolicy: string;
    /** Minified JSON. */
    permissionsPolicy: string;
}

/** A stack's plan as `show` and `verify` use it. */
export interface StackPlan {
    stack: string;
    resources: PlannedResource[];
    outputs: StackPlanOutputs;
}

/** The stack a command names through `--stack NAME` or `--config-file PATH`, and its project directory. */
export interface StackSelection {
    stack?: string;
    configFile?: string;
    /** Directory of `Pulumi.yaml`; defaults to the current directory. */
    projectDir?: string;
}

function requireStringOutput(stack: string, outputs: Record<string, unknown>, key: string): string {
    const value = outputs[key];
    if (typeof value !== "string") {
        throw new Error(`The plan of stack ${stack} has no ${key} output.`);
    }
    return value;
}

/** Evaluates the program offline for one stack and returns its plan; throws with the plan's error. */
export async function loadStackPlan(selection: StackSelection): Promise<StackPlan> {
    if (selection.stack === undefined && selection.configFile === undefined) {
        throw new Error("Missing stack: give --stack NAME or --config-file PATH.");
    }
    const [result] = await planStacks([
        {
            stack: selection.stack,
            configFile: selection.configFile === undefined ? undefined : path.resolve(selection.configFile),
            projectDir: path.resolve(selection.projectDir ?? defaultProjectDir()),
        },
    ]);
    if (isPlanError(result)) {
        throw new Error(result.error);
    }
    const externalIds = result.outputs.externalIds;
    if (!Array.isArray(externalIds) || !externalIds.every((id) => typeof id === "string")) {
        throw new Error(`The plan of stack ${result.stack} has no externalIds output.`);
    }
    return {
        stack: result.stack,
        resources: result.resources,
        outputs: {
            accountId: requireStringOutput(result.stack, result.outputs, "accountId"),
            roleArn: requireStringOutput(result.stack, result.outputs, "roleArn"),
            roleName: requireStringOutput(result.stack, result.outputs, "roleName"),
            externalIds,
            trustPolicy: requireStringOutput(result.stack, result.outputs, "trustPolicy"),
            permissionsPolicy: requireStringOutput(result.stack, result.outputs, "permissionsPolicy"),
        },
    };
}

/** Credentials of an account other than the one that a command needs. */
export class WrongAccountError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WrongAccountError";
    }
}

/**
 * Throws a {@link WrongAccountError} unless the caller's credentials belong to the stack's
 * end-user account, as the program does before it creates anything.
 */
export async function requireEndUserAccount(sts: STSClient, plan: StackPlan): Promise<string> {
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    if (caller.Account !== plan.outputs.accountId) {
        throw new WrongAccountError(
            `Wrong AWS account: stack ${plan.stack} describes end-user account ${plan.outputs.accountId} (cloudbreak-role:accountId), ` +
                `but the AWS credentials in use (${caller.Arn}) belong to account ${caller.Account}. ` +
                `Use credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) of account ${plan.outputs.accountId}, or correct cloudbreak-role:accountId.`,
        );
    }
    return plan.outputs.accountId;
}

// ---------------------------------------------------------------------------------------------
// Reading a live role

export interface LiveInlinePolicy {
    name: string;
    document: PolicyDocument<Record<string, unknown>>;
}

export interface LiveAttachedPolicy {
    arn: string;
    name: string;
    defaultVersionId?: string;
    document?: PolicyDocument<Record<string, unknown>>;
}

/** A role as IAM returns it, with every policy document decoded. */
export interface LiveRole {
    name: string;
    arn: string;
    path: string;
    roleId?: string;
    description?: string;
    maxSessionDuration?: number;
    permissionsBoundaryArn?: string;
    tags: Record<string, string>;
    trustPolicy: TrustPolicyDocument;
    inlinePolicies: LiveInlinePolicy[];
    attachedPolicies: LiveAttachedPolicy[];
}

/** A role that IAM does not have. */
export class RoleNotFoundError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RoleNotFoundError";
    }
}

/**
 * Reads a role with its trust policy, inline policies and attached managed policies (each with
 * its default version's document). `accountHint` names the account in the not-found message.
 */
export async function readLiveRole(iam: IAMClient, roleName: string, accountHint: () => Promise<string | undefined>): Promise<LiveRole> {
    let role;
    try {
        role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    } catch (error) {
        if (isNoSuchEntity(error)) {
            const account = await accountHint();
            throw new RoleNotFoundError(
                `Role ${roleName} not found in account ${account ?? "(unknown: sts:GetCallerIdentity failed)"} at ${describeEndpoint("IAM")}. ` +
                    "Check the role name and that the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) belong to the end-user account.",
            );
        }
        throw error;
    }
    if (!role || !role.Arn || !role.AssumeRolePolicyDocument) {
        throw new Error(`IAM returned no role document for ${roleName}.`);
    }

    const inlinePolicies: LiveInlinePolicy[] = [];
    let marker: string | undefined;
    do {
        const page: ListRolePoliciesCommandOutput = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        for (const policyName of page.PolicyNames ?? []) {
            const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
            inlinePolicies.push({ name: policyName, document: decodePolicyDocument(policy.PolicyDocument ?? "{}") });
        }
        marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);

    const attachedPolicies: LiveAttachedPolicy[] = [];
    marker = undefined;
    do {
        const page: ListAttachedRolePoliciesCommandOutput = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }));
        for (const attached of page.AttachedPolicies ?? []) {
            attachedPolicies.push(await readManagedPolicy(iam, attached.PolicyArn ?? "", attached.PolicyName ?? ""));
        }
        marker = page.IsTruncated ? page.Marker : undefined;
    } while (marker);

    const tags: Record<string, string> = {};
    for (const tag of role.Tags ?? []) {
        if (tag.Key !== undefined) {
            tags[tag.Key] = tag.Value ?? "";
        }
    }

    return {
        name: role.RoleName ?? roleName,
        arn: role.Arn,
        path: role.Path ?? "/",
        roleId: role.RoleId,
        description: role.Description || undefined,
        maxSessionDuration: role.MaxSessionDuration,
        permissionsBoundaryArn: role.PermissionsBoundary?.PermissionsBoundaryArn,
        tags,
        trustPolicy: decodePolicyDocument<TrustPolicyDocument>(role.AssumeRolePolicyDocument),
        inlinePolicies,
        attachedPolicies,
    };
}

async function readManagedPolicy(iam: IAMClient, arn: string, name: string): Promise<LiveAttachedPolicy> {
    const policy = (await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy;
    const defaultVersionId = policy?.DefaultVersionId;
    if (!defaultVersionId) {
        return { arn, name };
    }
    const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: defaultVersionId }))).PolicyVersion;
    return {
        arn,
        name,
        defaultVersionId,
        document: version?.Document ? decodePolicyDocument(version.Document) : undefined,
    };
}

/** Returns the partition of an ARN (its second field). */
export function partitionOfArn(arn: string): string {
    return arn.split(":")[1] ?? "";
}

/** Returns the account ID of an ARN (its fifth field). */
export function accountOfArn(arn: string): string {
    return arn.split(":")[4] ?? "";
}
