/**
 * Validation of the component's arguments and their defaults, before anything is registered.
 */
import * as pulumi from "@pulumi/pulumi";

import type { CloudbreakCredentialRoleArgs } from "./credentialRole";
import { Partition, PolicyPreset, PolicyStatement } from "./policies";
import {
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

/**
 * Validates the plain (non-Output) inputs and applies defaults. Inputs given as Outputs are
 * checked once they resolve, before any child that uses them is created.
 */
export function resolveCredentialRoleArgs(args: CloudbreakCredentialRoleArgs): ResolvedArgs {
    if (typeof args !== "object" || args === null) {
        throw new ValidationError("args", "CloudbreakCredentialRole needs an args object with deployerAccountId and externalIds.");
    }
    if (args.deployerAccountId === undefined) {
        throw new ValidationError("deployerAccountId", "Missing deployerAccountId: give the 12-digit ID of the account that Cloudbreak runs in.");
    }
    if (args.externalIds === undefined) {
        throw new ValidationError("externalIds", 'Missing externalIds: give the external IDs that Cloudbreak sends, e.g. ["provision-ambari"] for Cloudbreak 1.x to 2.9.');
    }
    if (!pulumi.Output.isInstance(args.deployerAccountId)) {
        validateAccountId(args.deployerAccountId, "deployerAccountId");
    }
    if (!pulumi.Output.isInstance(args.externalIds)) {
        validateExternalIds(args.externalIds, "externalIds");
    }

    // Copies, so that a caller who changes an array or object after the constructor returns
    // cannot slip unvalidated values into the documents.
    const deployerPrincipalArns = copyInput(args.deployerPrincipalArns ?? [], "deployerPrincipalArns");
    if (typeof args.deployerAccountId === "string") {
        validateDeployerPrincipalArns(deployerPrincipalArns, args.deployerAccountId, "deployerPrincipalArns");
    }
    const roleName = args.roleName ?? DEFAULT_ROLE_NAME;
    validateRoleName(roleName, "roleName");
    const path = args.path ?? "/";
    validateRolePath(path, "path");
    if (args.description !== undefined) {
        validateRoleDescription(args.description, "description");
    }
    const policy = args.policy ?? "cloudbreak-2";
    validatePolicyPreset(policy, "policy");
    const additionalStatements = copyInput(args.additionalStatements ?? [], "additionalStatements");
    validateStatements(additionalStatements, "additionalStatements");
    const managedPolicyArns = copyInput(args.managedPolicyArns ?? [], "managedPolicyArns");
    validateManagedPolicyArns(managedPolicyArns, "managedPolicyArns");
    if (args.permissionsBoundaryArn !== undefined) {
        validatePolicyArn(args.permissionsBoundaryArn, "permissionsBoundaryArn");
    }
    const maxSessionDurationSeconds = args.maxSessionDurationSeconds ?? DEFAULT_MAX_SESSION_DURATION_SECONDS;
    validateMaxSessionDuration(maxSessionDurationSeconds, "maxSessionDurationSeconds");
    const tags = copyInput(args.tags ?? {}, "tags");
    validateTags(tags, "tags");
    const allowedRegions = args.allowedRegions === undefined ? undefined : copyInput(args.allowedRegions, "allowedRegions");
    if (allowedRegions !== undefined) {
        validateAllowedRegions(allowedRegions, "allowedRegions");
    }
    const credentialName = args.credentialName ?? roleName;
    if (args.credentialName === undefined) {
        validateCredentialName(credentialName, { name: "credentialName (defaulted from roleName)" }, "Set credentialName, because the default, the role name, breaks Cloudbreak's rule");
    } else {
        validateCredentialName(credentialName, "credentialName");
    }
    if (args.accountId !== undefined) {
        validateAccountId(args.accountId, "accountId");
    }
    if (args.partition !== undefined) {
        validatePartition(args.partition, "partition");
    }
    const adoptExisting = args.adoptExisting ?? false;
    validateBoolean(adoptExisting, "adoptExisting");
    const exclusivePolicyManagement = args.exclusivePolicyManagement ?? true;
    validateBoolean(exclusivePolicyManagement, "exclusivePolicyManagement");

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
function copyInput<T>(value: T, input: string): T {
    if (pulumi.Output.isInstance(value)) {
        fail(input, value, "it must be a plain value, not an Output", "Resolve the value first or pass plain data");
    }
    try {
        return structuredClone(value);
    } catch {
        return fail(input, value, "it must be plain data (strings, numbers, booleans, lists and maps)", "Remove functions and class instances");
    }
}

function validateBoolean(value: unknown, input: string): asserts value is boolean {
    if (typeof value !== "boolean") {
        fail(input, value, "it must be true or false", "Pass a boolean, not a string or a number");
    }
}
