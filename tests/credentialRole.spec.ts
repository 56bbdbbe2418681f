import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";

import * as pulumi from "@pulumi/pulumi";

import {
    CREDENTIAL_ROLE_TYPE,
    CloudbreakCredentialRole,
    CloudbreakCredentialRoleArgs,
    wellKnownExternalIdWarning,
} from "../components/credentialRole";
import { buildCloudbreakCredential } from "../components/handoff";
import { CLOUDBREAK_1_STATEMENTS, CLOUDBREAK_2_STATEMENTS, Partition, buildRegionRestriction } from "../components/policies";
import { TestMocks, captureUnhandledRejections, outputOf, pulumiInputError, setUpMocks } from "./helpers/mocks";

/** The commercial partition, for ARNs written out in full. */
const AWS = "aws";

const END_USER = "111111111111";
const DEPLOYER = "222222222222";
const OTHER = "333333333333";

const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const INLINE_EXCLUSIVE = "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive";
const ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

const EXTERNAL_ID_FIX =
    "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
    "the value from `cdp environments get-credential-prerequisites` for CDP";

const BASE_ARGS: CloudbreakCredentialRoleArgs = { deployerAccountId: DEPLOYER, externalIds: ["tenant-id"] };

function attachmentName(name: string, arn: string): string {
    return `${name}-attachment-${createHash("sha256").update(arn).digest("hex").slice(0, 8)}`;
}

function managedPolicyArn(partition: Partition, policyName: string): string {
    return `arn:${partition}:iam::aws:policy/${policyName}`;
}

/** Returns the recorded resources as sorted `type name` lines. */
function recordedChildren(mocks: TestMocks): string[] {
    return mocks.resources.map((resource) => `${resource.type} ${resource.name}`).sort();
}

function recordedInputs(mocks: TestMocks, type: string): Record<string, unknown> {
    const found = mocks.ofType(type);
    assert.equal(found.length, 1, `expected one ${type}, found ${found.length}`);
    return found[0].inputs;
}

function awsIamResources(mocks: TestMocks): string[] {
    return mocks.resources.filter((resource) => resource.type.startsWith("aws:iam")).map((resource) => resource.name);
}

function trustDocument(partition: Partition, externalId: string | string[]) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${DEPLOYER}:root` },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
        ],
    };
}

/** Lets pending registrations reach the mocks. */
function settle(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, 50));
}

describe("CloudbreakCredentialRole", () => {
    let mocks: TestMocks;

    beforeEach(async () => {
        mocks = await setUpMocks({ accountId: END_USER, partition: "aws" });
    });

    describe("children", () => {
        it("registers five resources by default", async () => {
            const role = new CloudbreakCredentialRole("cb", BASE_ARGS);
            await outputOf(role.roleArn);

            assert.deepStrictEqual(recordedChildren(mocks), [
                `${INLINE_EXCLUSIVE} cb-inline-policies`,
                `${ROLE} cb-role`,
                `${ATTACHMENTS_EXCLUSIVE} cb-policy-attachments`,
                `${ROLE_POLICY} cb-policy`,
                `${CREDENTIAL_ROLE_TYPE} cb`,
            ].sort());
        });

        it("names attachments from the ARN hash", async () => {
            const readOnly = managedPolicyArn("aws", "ReadOnlyAccess");
            const ssm = managedPolicyArn("aws", "service-role/AmazonEC2RoleforSSM");
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [readOnly, ssm] });
            await outputOf(role.roleArn);

            assert.equal(mocks.resources.length, 7);
            assert.deepStrictEqual(
                mocks.ofType(ATTACHMENT).map((resource) => [resource.name, resource.inputs]).sort(),
                [
                    [attachmentName("cb", readOnly), { role: "cbreak-deployer", policyArn: readOnly }],
                    [attachmentName("cb", ssm), { role: "cbreak-deployer", policyArn: ssm }],
                ].sort(),
            );
            assert.deepStrictEqual(recordedInputs(mocks, ATTACHMENTS_EXCLUSIVE), { roleName: "cbreak-deployer", policyArns: [readOnly, ssm] });
        });

        it("keeps attachment names when the list is reordered", async () => {
            const readOnly = managedPolicyArn("aws", "ReadOnlyAccess");
            const ssm = managedPolicyArn("aws", "service-role/AmazonEC2RoleforSSM");

            await outputOf(new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [readOnly, ssm] }).roleArn);
            const first = mocks.ofType(ATTACHMENT).map((resource) => resource.name).sort();
            mocks.reset();
            await outputOf(new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [ssm, readOnly] }).roleArn);
            const second = mocks.ofType(ATTACHMENT).map((resource) => resource.name).sort();

            assert.deepStrictEqual(second, first);
            assert.deepStrictEqual(first, [attachmentName("cb", readOnly), attachmentName("cb", ssm)].sort());
        });

        it("registers no exclusive resources when exclusivePolicyManagement is false", async () => {
            const readOnly = managedPolicyArn("aws", "ReadOnlyAccess");
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [readOnly], exclusivePolicyManagement: false });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(recordedChildren(mocks), [
                `${ROLE} cb-role`,
                `${ATTACHMENT} ${attachmentName("cb", readOnly)}`,
                `${ROLE_POLICY} cb-policy`,
                `${CREDENTIAL_ROLE_TYPE} cb`,
            ].sort());
        });

        it("parents every child to the component", async () => {
            const parents = new Map<string, pulumi.Resource | undefined>();
            const role = new CloudbreakCredentialRole(
                "parented",
                { ...BASE_ARGS, managedPolicyArns: [managedPolicyArn("aws", "ReadOnlyAccess")] },
                {
                    transformations: [
                        (args) => {
                            parents.set(args.name, args.opts.parent);
                            return undefined;
                        },
                    ],
                },
            );
            await outputOf(role.roleArn);

            assert.equal(parents.size, 6);
            for (const [name, parent] of parents) {
                assert.equal(parent, name === "parented" ? undefined : role, name);
            }

            const monitor = pulumi.runtime.getMonitor() as unknown as { getRegisteredResources(): Map<string, unknown> };
            const urns = [...monitor.getRegisteredResources().keys()].filter((urn) => urn.includes("::parented")).sort();
            assert.deepStrictEqual(urns, [
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}$${ATTACHMENT}::${attachmentName("parented", managedPolicyArn("aws", "ReadOnlyAccess"))}`,
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}$${INLINE_EXCLUSIVE}::parented-inline-policies`,
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}$${ROLE}::parented-role`,
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}$${ATTACHMENTS_EXCLUSIVE}::parented-policy-attachments`,
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}$${ROLE_POLICY}::parented-policy`,
                `urn:pulumi:test::cloudbreak-role::${CREDENTIAL_ROLE_TYPE}::parented`,
            ].sort());
        });
    });

    describe("role inputs", () => {
        it("uses cbd's defaults", async () => {
            const role = new CloudbreakCredentialRole("cb", { deployerAccountId: DEPLOYER, externalIds: ["tenant-id"] });
            await outputOf(role.roleArn);

            const inputs = recordedInputs(mocks, ROLE);
            assert.deepStrictEqual(inputs, {
                name: "cbreak-deployer",
                path: "/",
                assumeRolePolicy: JSON.stringify(trustDocument("aws", "tenant-id")),
                maxSessionDuration: 3600,
                forceDetachPolicies: true,
            });
        });

        it("passes every argument", async () => {
            const boundary = `arn:${AWS}:iam::${END_USER}:policy/cloudbreak-boundary`;
            const role = new CloudbreakCredentialRole("cb", {
                deployerAccountId: DEPLOYER,
                deployerPrincipalArns: [`arn:${AWS}:iam::${DEPLOYER}:role/cloudbreak`],
                externalIds: ["old-id", "new-id"],
                roleName: "cloudbreak-prod",
                path: "/cloudbreak/",
                description: "Assumed by Cloudbreak",
                maxSessionDurationSeconds: 7200,
                permissionsBoundaryArn: boundary,
                tags: { team: "data-platform" },
            });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(recordedInputs(mocks, ROLE), {
                name: "cloudbreak-prod",
                path: "/cloudbreak/",
                description: "Assumed by Cloudbreak",
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { AWS: `arn:${AWS}:iam::${DEPLOYER}:role/cloudbreak` },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "sts:ExternalId": ["old-id", "new-id"] } },
                        },
                    ],
                }),
                maxSessionDuration: 7200,
                permissionsBoundary: boundary,
                tags: { team: "data-platform" },
                forceDetachPolicies: true,
            });
        });

        it("writes cb-policy with the preset", async () => {
            const role = new CloudbreakCredentialRole("cb", BASE_ARGS);
            await outputOf(role.roleArn);

            const inputs = recordedInputs(mocks, ROLE_POLICY);
            assert.deepStrictEqual(inputs, {
                role: "cbreak-deployer",
                name: "cb-policy",
                policy: JSON.stringify({ Version: "2012-10-17", Statement: CLOUDBREAK_2_STATEMENTS }),
            });
        });

        it("appends statements and the region restriction to cb-policy", async () => {
            const extra = { Sid: "Logs", Effect: "Allow" as const, Action: ["logs:PutLogEvents"], Resource: ["*"] };
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, policy: "cloudbreak-1", additionalStatements: [extra], allowedRegions: ["eu-west-1"] });
            await outputOf(role.roleArn);

            assert.equal(
                recordedInputs(mocks, ROLE_POLICY).policy,
                JSON.stringify({ Version: "2012-10-17", Statement: [...CLOUDBREAK_1_STATEMENTS, extra, buildRegionRestriction(["eu-west-1"])] }),
            );
            assert.deepStrictEqual(recordedInputs(mocks, INLINE_EXCLUSIVE), { roleName: "cbreak-deployer", policyNames: ["cb-policy"] });
        });
    });

    describe("roleArn", () => {
        for (const partition of ["aws", "aws-cn", "aws-us-gov"] as const) {
            it(`uses the provider's partition ${partition}`, async () => {
                mocks = await setUpMocks({ accountId: END_USER, partition });
                const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, path: "/cloudbreak/" });

                assert.equal(await outputOf(role.roleArn), `arn:${partition}:iam::${END_USER}:role/cloudbreak/cbreak-deployer`);
                assert.equal(await outputOf(role.trustPolicy), JSON.stringify(trustDocument(partition, "tenant-id")));
            });
        }

        it("takes the partition argument over the provider's", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, partition: "aws-us-gov" });

            assert.equal(await outputOf(role.trustPolicy), JSON.stringify(trustDocument("aws-us-gov", "tenant-id")));
            assert.equal((await outputOf(role.cloudbreakCredential)).govCloud, true);
        });

        it("resolves after cb-policy and attachments exist", async () => {
            const readOnly = managedPolicyArn("aws", "ReadOnlyAccess");
            const delayed = new Set([ROLE_POLICY, ATTACHMENT, INLINE_EXCLUSIVE, ATTACHMENTS_EXCLUSIVE]);
            const newResource = mocks.newResource;
            Object.assign(mocks, {
                newResource: async (args: pulumi.runtime.MockResourceArgs) => {
                    if (delayed.has(args.type)) {
                        await new Promise((resolve) => setTimeout(resolve, 200));
                    }
                    return newResource.call(mocks, args);
                },
            });
            try {
                const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [readOnly] });
                const registeredAtResolution = await outputOf(role.roleArn.apply(() => recordedChildren(mocks)));

                assert.deepStrictEqual(registeredAtResolution, [
                    `${INLINE_EXCLUSIVE} cb-inline-policies`,
                    `${ROLE} cb-role`,
                    `${ATTACHMENT} ${attachmentName("cb", readOnly)}`,
                    `${ATTACHMENTS_EXCLUSIVE} cb-policy-attachments`,
                    `${ROLE_POLICY} cb-policy`,
                    `${CREDENTIAL_ROLE_TYPE} cb`,
                ].sort());
            } finally {
                delete (mocks as unknown as Record<string, unknown>).newResource;
            }
        });
    });

    describe("outputs", () => {
        it("returns the documents and the credential", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: ["old-id", "new-id"], credentialName: "aws-prod" });
            const roleArn = `arn:${AWS}:iam::${END_USER}:role/cbreak-deployer`;

            assert.equal(await outputOf(role.roleArn), roleArn);
            assert.equal(await outputOf(role.roleName), "cbreak-deployer");
            assert.deepStrictEqual(await outputOf(role.externalIds), ["old-id", "new-id"]);
            assert.equal(await outputOf(role.trustPolicy), JSON.stringify(trustDocument("aws", ["old-id", "new-id"])));
            assert.equal(await outputOf(role.permissionsPolicy), JSON.stringify({ Version: "2012-10-17", Statement: CLOUDBREAK_2_STATEMENTS }));
            assert.deepStrictEqual(
                await outputOf(role.cloudbreakCredential),
                buildCloudbreakCredential({ name: "aws-prod", roleArn, partition: "aws" }),
            );
        });

        it("builds a GovCloud credential in aws-us-gov", async () => {
            mocks = await setUpMocks({ accountId: END_USER, partition: "aws-us-gov" });
            const role = new CloudbreakCredentialRole("cb", BASE_ARGS);
            const roleArn = `arn:aws-us-gov:iam::${END_USER}:role/cbreak-deployer`;

            assert.deepStrictEqual(
                await outputOf(role.cloudbreakCredential),
                buildCloudbreakCredential({ name: "cbreak-deployer", roleArn, partition: "aws-us-gov" }),
            );
        });

        it("keeps secret external IDs secret", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: pulumi.secret(["tenant-id"]) });
            await outputOf(role.roleArn);

            assert.equal(await pulumi.isSecret(role.externalIds), true);
            assert.equal(await pulumi.isSecret(role.trustPolicy), true);
        });

        it("keeps the permissions policy readable", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: pulumi.secret(["tenant-id"]) });
            await outputOf(role.roleArn);

            assert.equal(await pulumi.isSecret(role.permissionsPolicy), false);
            assert.equal(await pulumi.isSecret(role.cloudbreakCredential), false);
            assert.equal(recordedInputs(mocks, ROLE_POLICY).policy, JSON.stringify({ Version: "2012-10-17", Statement: CLOUDBREAK_2_STATEMENTS }));
        });
    });

    describe("statement IDs", () => {
        it("fails when a Sid repeats a preset's", () => {
            assert.throws(
                () =>
                    new CloudbreakCredentialRole("cb", {
                        ...BASE_ARGS,
                        partition: "aws",
                        policy: "cdp",
                        additionalStatements: [{ Sid: "AutoScalingFull", Effect: "Allow", Action: ["autoscaling:Describe*"], Resource: ["*"] }],
                    }),
                {
                    message:
                        'Invalid additionalStatements[0].Sid "AutoScalingFull": statement 16 of preset cdp of the inline policy cb-policy has the same Sid, and IAM requires each Sid to be unique within a policy. Choose another Sid.',
                    input: "additionalStatements[0].Sid",
                },
            );
            assert.deepStrictEqual(mocks.resources, []);
        });

        it("fails when a Sid repeats the region guard's", () => {
            assert.throws(
                () =>
                    new CloudbreakCredentialRole("cb", {
                        ...BASE_ARGS,
                        partition: "aws",
                        allowedRegions: ["eu-west-1"],
                        additionalStatements: [{ Sid: "DenyOutsideAllowedRegions", Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }],
                    }),
                {
                    message:
                        'Invalid additionalStatements[0].Sid "DenyOutsideAllowedRegions": the allowedRegions statement of the inline policy cb-policy has the same Sid, and IAM requires each Sid to be unique within a policy. Choose another Sid.',
                    input: "additionalStatements[0].Sid",
                },
            );
        });

        it("fails when two added Sids repeat", () => {
            const statement = { Sid: "Extra", Effect: "Allow" as const, Action: ["ec2:DescribeVpcs"], Resource: ["*"] };
            assert.throws(() => new CloudbreakCredentialRole("cb", { ...BASE_ARGS, partition: "aws", additionalStatements: [statement, statement] }), {
                input: "additionalStatements[1].Sid",
            });
        });
    });

    describe("well-known external ID warning", () => {
        let warnings: Array<{ message: string; resource: pulumi.Resource | undefined }>;
        let originalWarn: typeof pulumi.log.warn;

        beforeEach(() => {
            warnings = [];
            originalWarn = pulumi.log.warn;
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = async (message, resource) => {
                warnings.push({ message, resource });
            };
        });

        afterEach(() => {
            (pulumi.log as { warn: typeof pulumi.log.warn }).warn = originalWarn;
        });

        it("is logged for provision-ambari", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: ["provision-ambari"] });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(warnings, [{ message: wellKnownExternalIdWarning("cb"), resource: role }]);
            assert.match(warnings[0].message, /^cb: the trust policy accepts the external ID "provision-ambari", /);
        });

        it("is logged when provision-ambari is one of two IDs", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: ["tenant-id", "provision-ambari"] });
            await outputOf(role.roleArn);

            assert.equal(warnings.length, 1);
        });

        it("is not logged for other IDs", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: ["tenant-id", "provision-ambari-2"] });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(warnings, []);
        });
    });

    describe("invalid arguments", () => {
        const cases: Array<[string, CloudbreakCredentialRoleArgs, string, string]> = [
            [
                "adoptExisting as a string",
                { ...BASE_ARGS, adoptExisting: "false" as unknown as boolean },
                'Invalid adoptExisting "false": it must be true or false. Pass a boolean, not a string or a number',
                "adoptExisting",
            ],
            [
                "exclusivePolicyManagement as a number",
                { ...BASE_ARGS, exclusivePolicyManagement: 0 as unknown as boolean },
                "Invalid exclusivePolicyManagement 0: it must be true or false. Pass a boolean, not a string or a number",
                "exclusivePolicyManagement",
            ],
            [
                "a statement with a function",
                { ...BASE_ARGS, additionalStatements: [{ Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"], Sid: (() => "x") as unknown as string }] },
                'Invalid additionalStatements [{"Effect":"Allow","Action":["ec2:DescribeVpcs"],"Resource":["*"]}]: it must be plain data (strings, numbers, booleans, lists and maps). Remove functions and class instances',
                "additionalStatements",
            ],
            [
                "a customer managed policy of another account",
                { ...BASE_ARGS, accountId: END_USER, partition: "aws", managedPolicyArns: [`arn:${AWS}:iam::${OTHER}:policy/shared`] },
                `Invalid managedPolicyArns[0] "arn:${AWS}:iam::${OTHER}:policy/shared": it is a customer managed policy of account ${OTHER}, but the role is in account ${END_USER}, and IAM attaches only AWS managed policies and the role account's own. Create the policy in account ${END_USER} and use its ARN.`,
                "managedPolicyArns[0]",
            ],
            [
                "a permissions boundary of another account",
                { ...BASE_ARGS, accountId: END_USER, partition: "aws", permissionsBoundaryArn: `arn:${AWS}:iam::${OTHER}:policy/boundary` },
                `Invalid permissionsBoundaryArn "arn:${AWS}:iam::${OTHER}:policy/boundary": it is a customer managed policy of account ${OTHER}, but the role is in account ${END_USER}, and IAM attaches only AWS managed policies and the role account's own. Create the policy in account ${END_USER} and use its ARN.`,
                "permissionsBoundaryArn",
            ],
            [
                "an 11-digit deployer account",
                { ...BASE_ARGS, deployerAccountId: "12345678901" },
                'Invalid deployerAccountId "12345678901": an AWS account ID is exactly 12 digits. Use the 12-digit account ID, as a quoted string such as "123456789012"',
                "deployerAccountId",
            ],
            [
                "missing external IDs",
                { deployerAccountId: DEPLOYER } as CloudbreakCredentialRoleArgs,
                'Missing externalIds: give the external IDs that Cloudbreak sends, e.g. ["provision-ambari"] for Cloudbreak 1.x to 2.9.',
                "externalIds",
            ],
            [
                "a one-character external ID",
                { ...BASE_ARGS, externalIds: ["x"] },
                `Invalid externalIds[0] "x": an external ID has 2 to 1224 characters. ${EXTERNAL_ID_FIX}`,
                "externalIds[0]",
            ],
            [
                "a role name of 65 characters",
                { ...BASE_ARGS, roleName: "r".repeat(65), credentialName: "aws-prod" },
                `Invalid roleName "${"r".repeat(79).slice(0, 65)}": a role name has 1 to 64 characters. Choose a name such as cbreak-deployer`,
                "roleName",
            ],
            [
                "a role name that is no credential name",
                { ...BASE_ARGS, roleName: "CloudbreakRole" },
                `Invalid credentialName (defaulted from roleName) "CloudbreakRole": Cloudbreak credential names match ^[a-z][-a-z0-9]*[a-z0-9]$. Set credentialName, because the default, the role name, breaks Cloudbreak's rule`,
                "credentialName (defaulted from roleName)",
            ],
            [
                "a principal of another account",
                { ...BASE_ARGS, deployerPrincipalArns: [`arn:${AWS}:iam::${OTHER}:role/cloudbreak`] },
                `Invalid deployerPrincipalArns[0] "arn:${AWS}:iam::${OTHER}:role/cloudbreak": it must belong to deployerAccountId ${DEPLOYER}, not ${OTHER}. Use ARNs such as arn:<partition>:iam::${DEPLOYER}:role/cloudbreak, or leave the list empty to trust the whole account`,
                "deployerPrincipalArns[0]",
            ],
            [
                "a managed policy of another partition with a known partition",
                { ...BASE_ARGS, partition: "aws-cn", managedPolicyArns: [managedPolicyArn("aws", "ReadOnlyAccess")] },
                `Invalid managedPolicyArns[0] "${managedPolicyArn("aws", "ReadOnlyAccess")}": it is in partition aws, but the role is in aws-cn. Use the ARN from partition aws-cn.`,
                "managedPolicyArns[0]",
            ],
            [
                "a region of another partition with a known partition",
                { ...BASE_ARGS, partition: "aws", allowedRegions: ["cn-north-1"] },
                'Invalid allowedRegions[0] "cn-north-1": the region is in partition aws-cn, but the role is in aws. List regions of partition aws.',
                "allowedRegions[0]",
            ],
        ];

        for (const [description, args, message, input] of cases) {
            it(`fails on ${description} before registering anything`, async () => {
                assert.throws(() => new CloudbreakCredentialRole("cb", args), { name: "ValidationError", message, input });
                await settle();

                assert.deepStrictEqual(mocks.resources, []);
            });
        }

        it("fails on a role path without trailing slash", () => {
            assert.throws(() => new CloudbreakCredentialRole("cb", { ...BASE_ARGS, path: "/cloudbreak" }), { input: "path" });
        });
    });

    describe("errors found during deployment", () => {
        it("fails on an invalid Output external ID before any IAM resource", async () => {
            const errors = await captureUnhandledRejections(() => new CloudbreakCredentialRole("cb", { ...BASE_ARGS, externalIds: pulumi.output(["x"]) }));
            await settle();

            assert.match(errors[0].message, pulumiInputError(`Invalid externalIds[0] [secret]: an external ID has 2 to 1224 characters. ${EXTERNAL_ID_FIX}`));
            assert.deepStrictEqual(awsIamResources(mocks), []);
        });

        it("fails on a managed policy of the provider's other partition", async () => {
            mocks = await setUpMocks({ accountId: END_USER, partition: "aws-cn" });
            const arn = managedPolicyArn("aws", "ReadOnlyAccess");
            const errors = await captureUnhandledRejections(() => new CloudbreakCredentialRole("cb", { ...BASE_ARGS, managedPolicyArns: [arn] }));
            await settle();

            assert.match(errors[0].message, pulumiInputError(`Invalid managedPolicyArns[0] "${arn}": it is in partition aws, but the role is in aws-cn. Use the ARN from partition aws-cn.`));
            assert.deepStrictEqual(awsIamResources(mocks), []);
        });

        it("fails on the wrong account and names both", async () => {
            const errors = await captureUnhandledRejections(() => new CloudbreakCredentialRole("cb", { ...BASE_ARGS, accountId: OTHER }));
            await settle();

            assert.match(
                errors[0].message,
                pulumiInputError(
                    `Wrong AWS account: the stack describes end-user account ${OTHER}, but the AWS credentials in use belong to account ${END_USER}. Nothing was created. Use credentials (AWS_PROFILE or the aws provider's profile or assumeRoles) of account ${OTHER}, or correct accountId.`,
                ),
            );
            assert.deepStrictEqual(awsIamResources(mocks), []);
            assert.deepStrictEqual(recordedChildren(mocks), [`${CREDENTIAL_ROLE_TYPE} cb`]);
        });

        it("creates the role in the right account", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, accountId: END_USER });

            assert.equal(await outputOf(role.roleArn), `arn:${AWS}:iam::${END_USER}:role/cbreak-deployer`);
        });
    });

    describe("input copies", () => {
        it("ignores statements added after construction", async () => {
            const statements = [{ Effect: "Allow" as const, Action: ["ec2:DescribeVpcs"], Resource: ["*"] }];
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, policy: "cloudbreak-1", additionalStatements: statements });
            statements.push({ Effect: "Allow", Action: ["iam:CreateUser"], Resource: ["*"] });

            const policy = JSON.parse(await outputOf(role.permissionsPolicy));
            assert.deepStrictEqual(policy.Statement, [...CLOUDBREAK_1_STATEMENTS, { Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }]);
        });

        it("reads each argument once", async () => {
            let reads = 0;
            const args = {
                externalIds: ["tenant-id"],
                get deployerAccountId(): string {
                    reads += 1;
                    return reads === 1 ? DEPLOYER : OTHER;
                },
            };
            const role = new CloudbreakCredentialRole("cb", args);

            const trust = JSON.parse(await outputOf(role.trustPolicy));
            assert.equal(reads, 1);
            assert.deepStrictEqual(trust, trustDocument("aws", "tenant-id"));
        });

        it("accepts AWS managed and own policies", async () => {
            const own = `arn:${AWS}:iam::${END_USER}:policy/cloudbreak-extra`;
            const role = new CloudbreakCredentialRole("cb", {
                ...BASE_ARGS,
                accountId: END_USER,
                managedPolicyArns: [managedPolicyArn("aws", "ReadOnlyAccess"), own],
                permissionsBoundaryArn: own,
            });

            assert.equal(await outputOf(role.roleArn), `arn:${AWS}:iam::${END_USER}:role/cbreak-deployer`);
        });
    });

    describe("adoptExisting", () => {
        it("imports the role and cb-policy", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, adoptExisting: true });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(Object.fromEntries(mocks.importIds), { "cb-role": "cbreak-deployer", "cb-policy": "cbreak-deployer:cb-policy" });
        });

        it("imports under a custom role name", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, roleName: "cb-old", adoptExisting: true });
            await outputOf(role.roleArn);

            assert.deepStrictEqual(Object.fromEntries(mocks.importIds), { "cb-role": "cb-old", "cb-policy": "cb-old:cb-policy" });
        });

        it("leaves forceDetachPolicies off while importing", async () => {
            const role = new CloudbreakCredentialRole("cb", { ...BASE_ARGS, adoptExisting: true });
            await outputOf(role.roleArn);

            assert.strictEqual(recordedInputs(mocks, ROLE).forceDetachPolicies, false);
        });

        it("imports nothing by default", async () => {
            const role = new CloudbreakCredentialRole("cb", BASE_ARGS);
            await outputOf(role.roleArn);

            assert.deepStrictEqual(Object.fromEntries(mocks.importIds), {});
        });
    });
});
