/**
 * Checks on finished documents: the fail-closed trust lint and IAM's size quotas.
 *
 * The component runs them before it creates any child; `verify` runs the trust lint on a live
 * role's trust policy.
 */
import { Partition, PolicyDocument, TrustPolicyDocument, accountRootArn, partitionOfRegion, statementActions } from "./policies";
import { ValidationError, describeValue, parsePrincipalArn, validateExternalId } from "./validation";

/**
 * Returns true when an action or action pattern matches `sts:AssumeRole`. IAM matches actions
 * without regard to case, with `*` for any run of characters and `?` for one character, so
 * patterns such as `sts:*Role` and `sts:?ssumeRole` let a principal in too.
 */
function allowsAssumeRole(actions: string[]): boolean {
    return actions.some((action) => {
        const pattern = String(action).replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
        return new RegExp(`^${pattern}$`, "i").test("sts:AssumeRole");
    });
}

export interface TrustLintOptions {
    /** The only account whose principals may be trusted. */
    deployerAccountId: string;
    /** Partition of the role; trusted ARNs must be in it. */
    partition: Partition;
    /**
     * Print invalid external IDs in messages instead of `[secret]`.
     * @default false
     */
    showExternalIds?: boolean;
}

function describeStatement(statement: { Sid?: string }, index: number): string {
    return statement.Sid ? `statement ${index} (Sid ${JSON.stringify(statement.Sid)})` : `statement ${index}`;
}

/**
 * Returns the external IDs that a statement requires through `StringEquals` `sts:ExternalId`, or
 * an empty list when it requires none. Keys are matched without regard to case, as IAM does.
 */
export function requiredExternalIds(condition: unknown): string[] {
    if (typeof condition !== "object" || condition === null) {
        return [];
    }
    for (const [operator, block] of Object.entries(condition)) {
        if (operator !== "StringEquals" || typeof block !== "object" || block === null) {
            continue;
        }
        for (const [key, value] of Object.entries(block)) {
            if (key.toLowerCase() === "sts:externalid") {
                return typeof value === "string" ? [value] : Array.isArray(value) ? value.map(String) : [];
            }
        }
    }
    return [];
}

function normalizePrincipals(principal: unknown): Array<{ type: string; value: string }> {
    if (principal === "*") {
        return [{ type: "*", value: "*" }];
    }
    if (typeof principal !== "object" || principal === null) {
        return [{ type: "unknown", value: String(principal) }];
    }
    return Object.entries(principal).flatMap(([type, values]) =>
        (Array.isArray(values) ? values : [values]).map((value) => ({ type, value: String(value) })),
    );
}

/**
 * Rejects a trust policy through which anyone but the deployer account, or anyone without the
 * external ID, could assume the role.
 *
 * No statement may use `NotPrincipal` or `NotAction`, and no principal may be `*`. Principals must
 * be `AWS` principals: the deployer account ID, its root ARN, or an IAM role or user ARN in that
 * account, all in the role's partition. Every Allow statement that grants `sts:AssumeRole` requires a valid
 * `sts:ExternalId` through `StringEquals`, because statements are ORed: one unconditioned Allow
 * opens the role whatever the others require.
 */
export function lintTrustPolicy(document: TrustPolicyDocument, options: TrustLintOptions): void {
    const reject = (where: string, rule: string, fix: string): never => {
        throw new ValidationError("trustPolicy", `Trust policy ${where} is rejected: ${rule}. ${fix}`);
    };
    if (!Array.isArray(document.Statement) || document.Statement.length === 0) {
        reject("document", "it has no statements", "Add an Allow statement for the deployer account with the sts:ExternalId condition");
    }

    document.Statement.forEach((statement, index) => {
        const where = describeStatement(statement, index);
        const raw = statement as unknown as Record<string, unknown>;
        if (raw.NotPrincipal !== undefined || raw.NotAction !== undefined) {
            reject(where, "NotPrincipal and NotAction widen a trust policy to principals that nobody listed", "Name the principal and the action instead");
        }
        if (statement.Effect === "Deny") {
            return;
        }
        for (const { type, value } of normalizePrincipals(statement.Principal)) {
            if (value.includes("*")) {
                reject(where, `the principal ${describeValue(value)} is a wildcard and would trust any AWS account`, "Trust the deployer account or ARNs in it");
            }
            if (type !== "AWS") {
                reject(where, `the ${type} principal ${describeValue(value)} is not in the deployer account`, "Trust only AWS principals of the deployer account");
            }
            if (value === options.deployerAccountId || value === accountRootArn(options.partition, options.deployerAccountId)) {
                continue;
            }
            const parsed = parsePrincipalArn(value);
            if (!parsed || parsed.accountId !== options.deployerAccountId || parsed.partition !== options.partition) {
                reject(
                    where,
                    `the principal ${describeValue(value)} is not in deployer account ${options.deployerAccountId} of partition ${options.partition}`,
                    "Trust only the deployer account or role and user ARNs in it",
                );
            }
        }
        if (!allowsAssumeRole(statementActions(statement))) {
            return;
        }
        const externalIds = requiredExternalIds(statement.Condition);
        if (externalIds.length === 0) {
            reject(
                where,
                "it allows sts:AssumeRole without a StringEquals sts:ExternalId condition, so anyone in the trusted account could use the role through Cloudbreak's confused deputy",
                'Add "Condition": {"StringEquals": {"sts:ExternalId": "<external ID>"}}',
            );
        }
        externalIds.forEach((externalId, position) =>
            validateExternalId(externalId, { name: `trustPolicy ${where} sts:ExternalId[${position}]`, secret: !options.showExternalIds }),
        );
    });
}

/** IAM's size quotas in characters of minified JSON. */
export const POLICY_SIZE_LIMITS = {
    /** The role trust policy (`ACLSizePerRole`), default quota; AWS can raise it to 4,096. */
    // NOTE: a raised quota cannot be passed in, so such accounts still get the 2,048 error.
    trust: 2048,
    /** All inline policies of one role together. */
    inline: 10240,
    /** One customer managed policy. */
    managed: 6144,
} as const;

export type PolicySizeKind = keyof typeof POLICY_SIZE_LIMITS;

const SIZE_SUBJECT: Record<PolicySizeKind, string> = {
    trust: "a trust policy",
    inline: "the inline policies of a role",
    managed: "a managed policy",
};

const SIZE_ADVICE: Record<PolicySizeKind, string> = {
    trust: "Trust fewer deployer principals or external IDs, or ask AWS to raise the ACLSizePerRole quota to 4096 and check the size yourself",
    inline: "Move additional statements into a customer managed policy and pass its ARN in managedPolicyArns",
    managed: "Split the statements across two managed policies",
};

/** Returns the size that IAM counts for a document: its minified JSON length. */
export function policySize(document: PolicyDocument<unknown>): number {
    return JSON.stringify(document).length;
}

/** Throws when a document is over IAM's size quota for its kind. */
export function assertPolicySize(kind: PolicySizeKind, documentName: string, document: PolicyDocument<unknown>): void {
    const size = policySize(document);
    const limit = POLICY_SIZE_LIMITS[kind];
    if (size > limit) {
        throw new ValidationError(
            documentName,
            `The ${documentName} is ${size} characters of minified JSON, over the IAM limit of ${limit} for ${SIZE_SUBJECT[kind]}. ${SIZE_ADVICE[kind]}.`,
        );
    }
}

/** Throws when an ARN is in another partition than the role. */
export function assertSamePartition(input: string, arn: string, partition: Partition): void {
    const arnPartition = arn.split(":")[1];
    if (arnPartition !== partition) {
        throw new ValidationError(
            input,
            `Invalid ${input} ${describeValue(arn)}: it is in partition ${arnPartition}, but the role is in ${partition}. Use the ARN from partition ${partition}.`,
        );
    }
}

/** Throws when a region is outside the role's partition. */
export function assertRegionInPartition(input: string, region: string, partition: Partition): void {
    const regionPartition = partitionOfRegion(region);
    if (regionPartition !== partition) {
        throw new ValidationError(
            input,
            `Invalid ${input} ${describeValue(region)}: the region is in partition ${regionPartition}, but the role is in ${partition}. List regions of partition ${partition}.`,
        );
    }
}

/**
 * Throws when a managed policy belongs to another account than the role. IAM attaches AWS
 * managed policies (account `aws`) and customer managed policies of the role's own account only.
 */
export function assertPolicyAttachable(input: string, arn: string, roleAccountId: string): void {
    const owner = arn.split(":")[4];
    if (owner !== "aws" && owner !== roleAccountId) {
        throw new ValidationError(
            input,
            `Invalid ${input} ${describeValue(arn)}: it is a customer managed policy of account ${owner}, but the role is in account ${roleAccountId}, and IAM attaches only AWS managed policies and the role account's own. Create the policy in account ${roleAccountId} and use its ARN.`,
        );
    }
}

/**
 * Throws when two statements of a policy share a `Sid`, which IAM rejects. `labels` names each
 * statement by its index, e.g. the preset's or `additionalStatements[0]`.
 */
export function assertUniqueSids(documentName: string, statements: ReadonlyArray<{ Sid?: string }>, labels: readonly string[]): void {
    const first = new Map<string, number>();
    statements.forEach((statement, index) => {
        if (statement.Sid === undefined || statement.Sid === "") {
            return;
        }
        const earlier = first.get(statement.Sid);
        if (earlier !== undefined) {
            // Blame the statement the user wrote: a preset or generated statement cannot be renamed.
            const isUserStatement = (position: number) => labels[position].startsWith("additionalStatements");
            let culprit = index;
            let other = earlier;
            if (isUserStatement(earlier) && !isUserStatement(index)) {
                culprit = earlier;
                other = index;
            }
            throw new ValidationError(
                `${labels[culprit]}.Sid`,
                `Invalid ${labels[culprit]}.Sid ${describeValue(statement.Sid)}: ${labels[other]} of the ${documentName} has the same Sid, and IAM requires each Sid to be unique within a policy. Choose another Sid.`,
            );
        }
        first.set(statement.Sid, index);
    });
}
