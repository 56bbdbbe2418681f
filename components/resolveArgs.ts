/**
 * Validation of the component's arguments and their defaults, before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";

import type { CloudbreakCredentialRoleArgs } from "./credentialRole";
import { Partition, PolicyPreset, PolicyStatement } from "./policies";
import {
    InputLabel,
    ValidationError,
    fail,
    validateAccountId,
    validateAllowedRegions,
    validateCredentialName,
    validateDeployerPrincipalArns,
    validateExternalIds,
    validateManagedPolicyArns,
    validateMaxSessionDuration,
    validatePartition,
    validatePolicyArn,
    validatePolicyPreset,
    validateRoleDescription,
    validateRoleName,
    validateRolePath,
    validateStatements,
    validateTags,
} from "./validation";

/** The role name that `cbd aws generate-role` used, and the default of `roleName`. */
export const DEFAULT_ROLE_NAME = "cbreak-deployer";

/** The default of `maxSessionDurationSeconds`: one hour, the session length that Cloudbreak requests. */
export const DEFAULT_MAX_SESSION_DURATION_SECONDS = 3600;

/** Arguments with defaults applied and plain values validated. */
export interface ResolvedArgs {
    deployerPrincipalArns: string[];
    roleName: string;
    path: string;
    description?: string;
    policy: PolicyPreset;
    additionalStatements: PolicyStatement[];
    managedPolicyArns: string[];
    permissionsBoundaryArn?: string;
    maxSessionDurationSeconds: number;
    tags: Record<string, string>;
    allowedRegions?: string[];
    credentialName: string;
    accountId?: string;
    partition?: Partition;
    adoptExisting: boolean;
    exclusivePolicyManagement: boolean;
}

/** Names of inputs in messages, such as config keys; an input without an entry keeps its own name. */
export type InputLabels = Partial<Record<keyof CloudbreakCredentialRoleArgs, InputLabel>>;

/**
 * Validates the plain (non-Output) inputs and applies defaults. Inputs given as Outputs are
 * checked once they resolve, before any child that uses them is created. Messages name each
 * input by its entry in `labels`, so that the program's errors name config keys.
 */
export function resolveCredentialRoleArgs(args: CloudbreakCredentialRoleArgs, labels: InputLabels = {}): ResolvedArgs {
    const label = (input: keyof CloudbreakCredentialRoleArgs): InputLabel => labels[input] ?? { name: input };
    if (typeof args !== "object" || args === null) {
        throw new ValidationError("args", "CloudbreakCredentialRole needs an args object with deployerAccountId and externalIds.");
    }
    if (args.deployerAccountId === undefined) {
        throw new ValidationError(label("deployerAccountId").name, `Missing ${label("deployerAccountId").name}: give the 12-digit ID of the account that Cloudbreak runs in.`);
    }
    if (args.externalIds === undefined) {
        throw new ValidationError(
            label("externalIds").name,
            `Missing ${label("externalIds").name}: give the external IDs that Cloudbreak sends, e.g. ["provision-ambari"] for Cloudbreak 1.x to 2.9.`,
        );
    }
    if (!pulumi.Output.isInstance(args.deployerAccountId)) {
        validateAccountId(args.deployerAccountId, label("deployerAccountId"));
    }
    if (!pulumi.Output.isInstance(args.externalIds)) {
        validateExternalIds(args.externalIds, label("externalIds"));
    }

    // Copies, so that a caller who changes an array or object after the constructor returns
    // cannot slip unvalidated values into the documents.
    const deployerPrincipalArns = copyInput(args.deployerPrincipalArns ?? [], label("deployerPrincipalArns"));
    if (typeof args.deployerAccountId === "string") {
        validateDeployerPrincipalArns(deployerPrincipalArns, args.deployerAccountId, label("deployerPrincipalArns"));
    }
    const roleName = args.roleName ?? DEFAULT_ROLE_NAME;
    validateRoleName(roleName, label("roleName"));
    const path = args.path ?? "/";
    validateRolePath(path, label("path"));
    if (args.description !== undefined) {
        validateRoleDescription(args.description, label("description"));
    }
    const policy = args.policy ?? "cloudbreak-2";
    validatePolicyPreset(policy, label("policy"));
    const additionalStatements = copyInput(args.additionalStatements ?? [], label("additionalStatements"));
    validateStatements(additionalStatements, label("additionalStatements"));
    const managedPolicyArns = copyInput(args.managedPolicyArns ?? [], label("managedPolicyArns"));
    validateManagedPolicyArns(managedPolicyArns, label("managedPolicyArns"));
    if (args.permissionsBoundaryArn !== undefined) {
        validatePolicyArn(args.permissionsBoundaryArn, label("permissionsBoundaryArn"));
    }
    const maxSessionDurationSeconds = args.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_DURATION_SECONDS;
    validateMaxSessionDuration(maxSessionDurationSeconds, label("maxSessionDurationSeconds"));
    const tags = copyInput(args.tags ?? {}, label("tags"));
    validateTags(tags, label("tags"));
    const allowedRegions = args.allowedRegions === undefined ? undefined : copyInput(args.allowedRegions, label("allowedRegions"));
    if (allowedRegions !== undefined) {
        validateAllowedRegions(allowedRegions, label("allowedRegions"));
    }
    const credentialName = args.credentialName ?? roleName;
    if (args.credentialName === undefined) {
        validateCredentialName(credentialName, { name: `${label("credentialName").name} (defaulted from roleName)` }, "Set credentialName, because the default, the role name, breaks Cloudbreak's rule");
    } else {
        validateCredentialName(credentialName, label("credentialName"));
    }
    if (args.accountId !== undefined) {
        validateAccountId(args.accountId, label("accountId"));
    }
    if (args.partition !== undefined) {
        validatePartition(args.partition, label("partition"));
    }
    const adoptExisting = args.adoptExisting ?? false;
    validateBoolean(adoptExisting, label("adoptExisting"));
    const exclusivePolicyManagement = args.exclusivePolicyManagement ?? true;
    validateBoolean(exclusivePolicyManagement, label("exclusivePolicyManagement"));

    return {
        deployerPrincipalArns,
        roleName,
        path,
        description: args.description,
        policy,
        additionalStatements,
        managedPolicyArns,
        permissionsBoundaryArn: args.permissionsBoundaryArn,
        maxSessionDurationSeconds,
        tags,
        allowedRegions,
        credentialName,
        accountId: args.accountId,
        partition: args.partition,
        adoptExisting,
        exclusivePolicyManagement,
    };
}

/** Returns a deep copy of plain data, or rejects values that cannot be copied (functions, class instances with private state). */
function copyInput<T>(value: T, input: InputLabel): T {
    if (pulumi.Output.isInstance(value)) {
        fail(input, value, "it must be a plain value, not an Output", "Resolve the value first or pass plain data");
    }
    try {
        return structuredClone(value);
    } catch {
        return fail(input, value, "it must be plain data (strings, numbers, booleans, lists and maps)", "Remove functions and class instances");
    }
}

function validateBoolean(value: unknown, input: InputLabel): asserts value is boolean {
    if (typeof value !== "boolean") {
        fail(input, value, "it must be true or false", "Pass a boolean, not a string or a number");
    }
}
