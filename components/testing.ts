/**
 * Pulumi mocks that stand in for AWS when the role is evaluated offline: by the `plan` command,
 * by this package's tests and by consumers' unit tests. Importing this module registers nothing.
 */
import * as pulumi from "@pulumi/pulumi";

import { formatRoleArn } from "./documents";
import { Partition } from "./policies";

/** A resource registered under the mocks: its type, logical name, inputs and mocked outputs. */
export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    id: string;
    outputs: Record<string, unknown>;
    /** The ID given in the `import` resource option, when the resource is to be imported. */
    importId?: string;
}

/** The account and partition that the mocked AWS calls return. */
export interface MockAwsIdentity {
    accountId: string;
    partition: Partition;
    region?: string;
}

const REGION_OF_PARTITION: Record<Partition, string> = {
    aws: "us-east-1",
    "aws-cn": "cn-north-1",
    "aws-us-gov": "us-gov-west-1",
};

const DNS_SUFFIX: Record<Partition, string> = {
    aws: "amazonaws.com",
    "aws-cn": "amazonaws.com.cn",
    "aws-us-gov": "amazonaws.com",
};

/**
 * Mocks for `pulumi.runtime.setMocks` that record every resource and compute the fields that AWS
 * would: a role's `arn` and `uniqueId`, a policy's `id`. Only the invokes this package makes are
 * mocked (`aws:index/getPartition`, `aws:index/getCallerIdentity`, `aws:index/getRegion`); any
 * other throws, so a new dependency on AWS cannot slip in unnoticed.
 *
 * Resources and invokes that use an explicit `aws.Provider` named in `providerIdentities` get that
 * provider's identity. All others, including those of the default provider, get `identity`.
 */
export class CredentialRoleMocks implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    identity: MockAwsIdentity;
    /** Identities by the logical name of an explicit `aws.Provider`, for programs that span accounts. */
    readonly providerIdentities: Readonly<Record<string, MockAwsIdentity>>;

    constructor(identity: MockAwsIdentity, providerIdentities: Record<string, MockAwsIdentity> = {}) {
        this.identity = identity;
        this.providerIdentities = { ...providerIdentities };
    }

    /** Forgets the recorded resources. */
    reset(identity?: MockAwsIdentity): void {
        this.resources.length = 0;
        if (identity) {
            this.identity = identity;
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, unknown>;
        const outputs: Record<string, unknown> = { ...inputs };
        let id = `${args.name}-id`;
        const { accountId, partition } = this.identityOf(args.provider);

        switch (args.type) {
            case "aws:iam/role:Role": {
                const roleName = String(inputs.name ?? args.name);
                const path = String(inputs.path ?? "/");
                id = roleName;
                outputs.name = roleName;
                outputs.path = path;
                outputs.arn = formatRoleArn(partition, accountId, path, roleName);
                outputs.uniqueId = "AROAMOCKEDUNIQUEID";
                break;
            }
            case "aws:iam/rolePolicy:RolePolicy":
                id = `${String(inputs.role)}:${String(inputs.name)}`;
                break;
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
                id = `${String(inputs.role)}/${String(inputs.policyArn)}`;
                break;
        }

        // Pulumi passes the `import` option's ID as args.id; an imported resource keeps that ID.
        const importId = args.id ? args.id : undefined;
        if (importId) {
            id = importId;
        }
        this.resources.push({ type: args.type, name: args.name, inputs, id, outputs, ...(importId ? { importId } : {}) });
        return { id, state: outputs };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const identity = this.identityOf(args.provider);
        const { accountId, partition } = identity;
        switch (args.token) {
            case "aws:index/getPartition:getPartition":
                return { id: partition, partition, dnsSuffix: DNS_SUFFIX[partition], reverseDnsPrefix: "com.amazonaws" };
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: accountId,
                    accountId,
                    arn: `arn:${partition}:iam::${accountId}:user/offline-plan`,
                    userId: "AIDAMOCKEDUSERID",
                };
            case "aws:index/getRegion:getRegion": {
                const region = identity.region ?? REGION_OF_PARTITION[partition];
                return { id: region, name: region, region };
            }
            default:
                throw new Error(`CredentialRoleMocks does not mock the invoke ${args.token}; add it to CredentialRoleMocks.call.`);
        }
    }

    /**
     * Returns the identity for a provider reference, which has the form `<urn>::<id>` with the
     * provider's logical name as the URN's last segment.
     */
    private identityOf(providerReference: string | undefined): MockAwsIdentity {
        if (!providerReference) {
            return this.identity;
        }
        const segments = providerReference.split("::");
        const providerName = segments[segments.length - 2];
        return this.providerIdentities[providerName] ?? this.identity;
    }
}

/**
 * Resolves an Output to its value and rejects when the Output failed. It uses the SDK's internal
 * `promise()` method, as Pulumi's own tests do, because `apply` cannot pass a rejection on.
 */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
    return (output as unknown as { promise(): Promise<T> }).promise();
}
