import { createHash } from "node:crypto";

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import { CredentialRoleDocuments, buildCredentialRoleDocuments } from "./documents";
import { CloudbreakCredential, buildCloudbreakCredential } from "./handoff";
import { INLINE_POLICY_NAME, Partition, PolicyPreset, PolicyStatement, WELL_KNOWN_EXTERNAL_ID } from "./policies";
import { resolveCredentialRoleArgs } from "./resolveArgs";
import { ValidationError, validatePartition } from "./validation";

export { buildCredentialRoleDocuments, formatRoleArn } from "./documents";
export type { CredentialRoleDocuments, DocumentInputs } from "./documents";
export { DEFAULT_MAX_SESSION_DURATION_SECONDS, DEFAULT_ROLE_NAME, resolveCredentialRoleArgs } from "./resolveArgs";
export type { ResolvedArgs } from "./resolveArgs";

/** The Pulumi type token of {@link CloudbreakCredentialRole}. */
export const CREDENTIAL_ROLE_TYPE = "cloudbreak:aws:CredentialRole";

/** Inputs of {@link CloudbreakCredentialRole}. */
export interface CloudbreakCredentialRoleArgs {
    /**
     * The 12-digit ID of the AWS account that Cloudbreak runs in (the deployer account).
     *
     * Required: the trust policy names this account, and there is no safe default.
     * @default - none; the input is required
     * @example "123456789012"
     */
    readonly deployerAccountId: pulumi.Input<string>;

    /**
     * IAM role or user ARNs in the deployer account that may assume the role, in place of the
     * whole account. Each must belong to `deployerAccountId` and contain no wildcard.
     *
     * @default - every principal of the deployer account whose own policies allow `sts:AssumeRole`
     */
    readonly deployerPrincipalArns?: string[];

    /**
     * External IDs that the trust policy requires through `StringEquals` `sts:ExternalId`; the
     * caller must send one of them. Each has 2 to 1,224 characters of `A-Z a-z 0-9 + = , . @ : / _ -`.
     * Give two during a rotation.
     *
     * Required, with no default: Cloudbreak 1.x to 2.9 always sends the well-known
     * `provision-ambari` (which logs a warning, since every Cloudbreak installation sends it);
     * CDP sends a per-tenant value that `cdp environments get-credential-prerequisites` prints.
     * @default - none; the input is required
     */
    readonly externalIds: pulumi.Input<string[]>;

    /**
     * Name of the IAM role. A fixed name means that a change which forces replacement deletes
     * the old role before creating the new one.
     *
     * @default "cbreak-deployer" (the name that `cbd aws generate-role` used)
     */
    readonly roleName?: string;

    /**
     * IAM path of the role: `/` or up to 512 characters starting and ending with `/`. Keep `/` for
     * Cloudbreak 1.x to 2.4, whose instance-profile option takes the role name from the ARN as the
     * part after the first `/`.
     *
     * @default "/"
     */
    readonly path?: string;

    /**
     * Description of the role, at most 1,000 Latin-1 characters.
     *
     * @default - no description
     */
    readonly description?: string;

    /**
     * Permissions policy preset per Cloudbreak generation: `cloudbreak-1` (cbd up to 2.2, four
     * wildcard statements), `cloudbreak-2` (cbd 2.6 to 2.9, 68 actions), `cdp` (Cloudera's
     * current default cross-account policy).
     *
     * @default "cloudbreak-2"
     */
    readonly policy?: PolicyPreset;

    /**
     * Statements appended to the inline policy after the preset's.
     *
     * @default []
     */
    readonly additionalStatements?: PolicyStatement[];

    /**
     * ARNs of managed policies to attach. Attachments are named from a hash of the ARN, so
     * reordering the list changes nothing.
     *
     * @default []
     */
    readonly managedPolicyArns?: string[];

    /**
     * ARN of the managed policy that sets the role's permissions boundary.
     *
     * @default - no permissions boundary
     */
    readonly permissionsBoundaryArn?: string;

    /**
     * Maximum session duration in seconds, 3,600 to 43,200. Cloudbreak requests 3,600-second sessions.
     *
     * @default 3600
     */
    readonly maxSessionDurationSeconds?: number;

    /**
     * Tags on the role; the provider's `defaultTags` are added by the provider.
     *
     * @default {}
     */
    readonly tags?: Record<string, string>;

    /**
     * Regions in which the role may call regional actions. When set, a Deny statement denies
     * regional actions outside them through `aws:RequestedRegion`; IAM, Route 53, Price List and
     * STS actions are exempt because they are served from global endpoints.
     *
     * @default - every region
     */
    readonly allowedRegions?: string[];

    /**
     * Name of the Cloudbreak credential in the hand-off requests: 5 to 100 characters matching
     * `^[a-z][-a-z0-9]*[a-z0-9]$`.
     *
     * @default - the role name, which must then meet the same rule
     */
    readonly credentialName?: string;

    /**
     * The end-user account that the role must be created in. When set, the component compares
     * it with the account of the provider's credentials and creates nothing when they differ.
     *
     * @default - not checked
     */
    readonly accountId?: string;

    /**
     * Partition of the role's account. It decides the ARNs in the documents.
     *
     * @default - the partition of the provider in use, from `aws.getPartition`
     */
    readonly partition?: Partition;

    /**
     * Take over an existing role of this name and its inline policy `cb-policy` (as
     * `cbd aws generate-role` made them) through Pulumi import, instead of creating them. The
     * documents must match the live ones for the import to succeed; later updates then change the
     * role in place.
     *
     * @default false
     */
    readonly adoptExisting?: boolean;

    /**
     * Make this component the only manager of the role's inline policies and managed policy
     * attachments: policies added outside Pulumi are removed on the next `pulumi up --refresh`.
     *
     * @default true
     */
    readonly exclusivePolicyManagement?: boolean;
}

/** Returns a short, stable suffix for a child named after an ARN. */
function arnSuffix(arn: string): string {
    return createHash("sha256").update(arn).digest("hex").slice(0, 8);
}


/**
 * An IAM role in an end-user AWS account that Cloudbreak, running in the deployer account,
 * assumes with an external ID to provision clusters: the role, its inline policy `cb-policy` and
 * any managed policy attachments.
 *
 * Every input is checked before any child is created: plain values in the constructor, and
 * values that arrive as Outputs (and the provider's partition and account) before the role is
 * registered, so a bad input leaves nothing behind.
 */
export class CloudbreakCredentialRole extends pulumi.ComponentResource {
    /** ARN of the role. It resolves only once the inline policy and every attachment exist. */
    readonly roleArn: pulumi.Output<string>;
    /** Name of the role. */
    readonly roleName: pulumi.Output<string>;
    /** External IDs that the trust policy requires. */
    readonly externalIds: pulumi.Output<string[]>;
    /** The trust policy as minified JSON. */
    readonly trustPolicy: pulumi.Output<string>;
    /** The inline permissions policy `cb-policy` as minified JSON. */
    readonly permissionsPolicy: pulumi.Output<string>;
    /** The requests that Cloudbreak's clients take to create the role-based credential. */
    readonly cloudbreakCredential: pulumi.Output<CloudbreakCredential>;

    constructor(name: string, argsInput: CloudbreakCredentialRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        // One read of every property, so that getters or proxies cannot pass validation with one
        // value and reach the documents with another.
        const args: CloudbreakCredentialRoleArgs = typeof argsInput === "object" && argsInput !== null ? { ...argsInput } : argsInput;
        const externalIds = Array.isArray(args.externalIds) ? [...args.externalIds] : args.externalIds;
        const resolved = resolveCredentialRoleArgs({ ...args, externalIds });
        // When every input is a plain value, the documents are built and checked now, so that a
        // problem is raised before the component itself is registered.
        let prebuilt: CredentialRoleDocuments | undefined;
        if (
            resolved.partition !== undefined &&
            typeof args.deployerAccountId === "string" &&
            Array.isArray(externalIds) &&
            externalIds.every((id) => typeof id === "string")
        ) {
            prebuilt = buildCredentialRoleDocuments({
                resolved,
                partition: resolved.partition,
                deployerAccountId: args.deployerAccountId,
                externalIds: externalIds as string[],
            });
        }

        super(CREDENTIAL_ROLE_TYPE, name, {}, opts);

        const partition: pulumi.Output<Partition> =
            resolved.partition !== undefined
                ? pulumi.output(resolved.partition)
                : aws.getPartitionOutput({}, { parent: this }).partition.apply((value) => {
                      validatePartition(value, "the provider's partition", "Use a provider in aws, aws-cn or aws-us-gov, or set partition");
                      return value;
                  });
        const callerAccountId: pulumi.Output<string | undefined> =
            resolved.accountId !== undefined
                ? aws.getCallerIdentityOutput({}, { parent: this }).accountId
                : pulumi.output(undefined);

        const documents = pulumi
            .all([partition, args.deployerAccountId, externalIds, callerAccountId])
            .apply(([partitionValue, deployerAccountId, externalIds, callerAccount]) => {
                if (resolved.accountId !== undefined && callerAccount !== resolved.accountId) {
                    throw new ValidationError(
                        "accountId",
                        `Wrong AWS account: the stack describes end-user account ${resolved.accountId}, but the AWS credentials in use belong to account ${callerAccount}. Nothing was created. Use credentials (AWS_PROFILE or the aws provider's profile or assumeRoles) of account ${resolved.accountId}, or correct accountId.`,
                    );
                }
                const built = prebuilt ?? buildCredentialRoleDocuments({ resolved, partition: partitionValue, deployerAccountId, externalIds });
                if (built.externalIds.includes(WELL_KNOWN_EXTERNAL_ID)) {
                    pulumi.log.warn(wellKnownExternalIdWarning(name), this);
                }
                return built;
            });

        // The permissions policy contains no external ID, so it stays readable in diffs and outputs
        // even when the external IDs (and so the documents Output) are secret.
        const permissionsPolicy = pulumi.unsecret(documents.permissionsPolicy);

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: resolved.roleName,
                path: resolved.path,
                description: resolved.description,
                assumeRolePolicy: documents.trustPolicy,
                maxSessionDuration: resolved.maxSessionDurationSeconds,
                permissionsBoundary: resolved.permissionsBoundaryArn,
                // An empty map is left out so that an adopted role without tags imports without a difference.
                tags: Object.keys(resolved.tags).length > 0 ? resolved.tags : undefined,
                // Lets `pulumi destroy` delete the role even when policies were attached outside Pulumi.
                // The setting exists only in Pulumi's state, so an import reads it as false. The
                // first `pulumi up` after adoptExisting is set back to false turns it on.
                forceDetachPolicies: !resolved.adoptExisting,
            },
            { parent: this, import: resolved.adoptExisting ? resolved.roleName : undefined },
        );

        const inlinePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.name, name: INLINE_POLICY_NAME, policy: permissionsPolicy },
            { parent: this, import: resolved.adoptExisting ? `${resolved.roleName}:${INLINE_POLICY_NAME}` : undefined },
        );

        const attachments = resolved.managedPolicyArns.map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-attachment-${arnSuffix(policyArn)}`,
                    { role: role.name, policyArn },
                    { parent: this },
                ),
        );

        const exclusives: pulumi.Resource[] = [];
        if (resolved.exclusivePolicyManagement) {
            exclusives.push(
                new aws.iam.RolePoliciesExclusive(
                    `${name}-inline-policies`,
                    { roleName: role.name, policyNames: [INLINE_POLICY_NAME] },
                    { parent: this, dependsOn: [inlinePolicy] },
                ),
                new aws.iam.RolePolicyAttachmentsExclusive(
                    `${name}-policy-attachments`,
                    { roleName: role.name, policyArns: resolved.managedPolicyArns },
                    { parent: this, dependsOn: attachments },
                ),
            );
        }

        const ready = [inlinePolicy.id, ...attachments.map((attachment) => attachment.id), ...exclusives.map((resource) => resource.urn)];
        this.roleArn = pulumi.all([role.arn, ...ready]).apply(([arn]) => arn as string);
        this.roleName = role.name;
        this.externalIds = documents.externalIds;
        this.trustPolicy = documents.trustPolicy;
        this.permissionsPolicy = permissionsPolicy;
        this.cloudbreakCredential = pulumi
            .all([this.roleArn, pulumi.unsecret(documents.partition)])
            .apply(([roleArn, partitionValue]) =>
                buildCloudbreakCredential({ name: resolved.credentialName, roleArn, partition: partitionValue }),
            );

        this.registerOutputs({
            roleArn: this.roleArn,
            roleName: this.roleName,
            externalIds: this.externalIds,
            trustPolicy: this.trustPolicy,
            permissionsPolicy: this.permissionsPolicy,
            cloudbreakCredential: this.cloudbreakCredential,
        });
    }
}

/** Builds the warning logged when the trust policy accepts the well-known `provision-ambari`. */
export function wellKnownExternalIdWarning(name: string): string {
    return (
        `${name}: the trust policy accepts the external ID "${WELL_KNOWN_EXTERNAL_ID}", which every Cloudbreak 1.x to 2.9 ` +
        "installation sends, so it does not keep another Cloudbreak deployment in the trusted account out. " +
        "It is unavoidable only while this role serves Cloudbreak 1.x to 2.9, whose server always sends it; " +
        "for CDP use the per-tenant external ID and narrow deployerPrincipalArns to Cloudbreak's own role."
    );
}
