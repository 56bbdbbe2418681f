/**
 * Building and checking the role's two documents once the partition and every input are known.
 */
import { assertPolicyAttachable, assertPolicySize, assertRegionInPartition, assertSamePartition, assertUniqueSids, lintTrustPolicy } from "./checks";
import { INLINE_POLICY_NAME, Partition, buildPermissionsPolicy, buildTrustPolicy, minifyPolicy } from "./policies";
import type { ResolvedArgs } from "./resolveArgs";
import { validateAccountId, validateDeployerPrincipalArns, validateExternalIds } from "./validation";

/** The documents of a role, minified, after every check passed. */
export interface CredentialRoleDocuments {
    partition: Partition;
    externalIds: string[];
    trustPolicy: string;
    permissionsPolicy: string;
}

export interface DocumentInputs {
    resolved: ResolvedArgs;
    partition: Partition;
    deployerAccountId: string;
    externalIds: string[];
}

/**
 * Builds and checks both documents: trust lint, size quotas and partition of every ARN and
 * region. Throws a {@link ValidationError} on the first problem.
 */
export function buildCredentialRoleDocuments(inputs: DocumentInputs): CredentialRoleDocuments {
    const { resolved, partition, deployerAccountId, externalIds } = inputs;
    validateAccountId(deployerAccountId, "deployerAccountId");
    validateExternalIds(externalIds, { name: "externalIds", secret: true });
    validateDeployerPrincipalArns(resolved.deployerPrincipalArns, deployerAccountId, "deployerPrincipalArns");

    resolved.deployerPrincipalArns.forEach((arn, index) => assertSamePartition(`deployerPrincipalArns[${index}]`, arn, partition));
    resolved.managedPolicyArns.forEach((arn, index) => assertSamePartition(`managedPolicyArns[${index}]`, arn, partition));
    if (resolved.permissionsBoundaryArn !== undefined) {
        assertSamePartition("permissionsBoundaryArn", resolved.permissionsBoundaryArn, partition);
    }
    if (resolved.accountId !== undefined) {
        const accountId = resolved.accountId;
        resolved.managedPolicyArns.forEach((arn, index) => assertPolicyAttachable(`managedPolicyArns[${index}]`, arn, accountId));
        if (resolved.permissionsBoundaryArn !== undefined) {
            assertPolicyAttachable("permissionsBoundaryArn", resolved.permissionsBoundaryArn, accountId);
        }
    }
    (resolved.allowedRegions ?? []).forEach((region, index) => assertRegionInPartition(`allowedRegions[${index}]`, region, partition));

    const trust = buildTrustPolicy({
        partition,
        deployerAccountId,
        deployerPrincipalArns: resolved.deployerPrincipalArns,
        externalIds,
    });
    lintTrustPolicy(trust, { deployerAccountId, partition });
    assertPolicySize("trust", "trust policy", trust);

    const permissions = buildPermissionsPolicy({
        preset: resolved.policy,
        partition,
        additionalStatements: resolved.additionalStatements,
        allowedRegions: resolved.allowedRegions,
    });
    const presetCount = permissions.Statement.length - resolved.additionalStatements.length - (resolved.allowedRegions ? 1 : 0);
    const statementLabel = (index: number): string => {
        if (index < presetCount) {
            return `statement ${index} of preset ${resolved.policy}`;
        }
        if (index < presetCount + resolved.additionalStatements.length) {
            return `additionalStatements[${index - presetCount}]`;
        }
        return "the allowedRegions statement";
    };
    const labels = permissions.Statement.map((_statement, index) => statementLabel(index));
    assertUniqueSids(`inline policy ${INLINE_POLICY_NAME}`, permissions.Statement, labels);
    assertPolicySize("inline", `inline policy ${INLINE_POLICY_NAME}`, permissions);

    return {
        partition,
        externalIds: [...externalIds],
        trustPolicy: minifyPolicy(trust),
        permissionsPolicy: minifyPolicy(permissions),
    };
}

/** Builds the role ARN as IAM forms it. */
export function formatRoleArn(partition: string, accountId: string, path: string, roleName: string): string {
    return `arn:${partition}:iam::${accountId}:role${path}${roleName}`;
}
