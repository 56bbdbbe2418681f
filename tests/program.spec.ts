/**
 * The program (index.ts) under Pulumi's mocks: every shipped stack file, and the configuration
 * errors that stop it before any IAM resource is created.
 */
import * as assert from "node:assert/strict";
import * as path from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { readFileSync } from "node:fs";

import { loadStackConfig } from "../cli/stackFile";
import { buildCloudbreakCredential } from "../components/handoff";
import { CONFIG_KEYS, EMPTY_MEANS_UNSET } from "../components/stackConfig";
import { CredentialRoleMocks, MockAwsIdentity, RecordedResource } from "../components/testing";
import { waitForIdleRuntime } from "./helpers/mocks";
import { REPOSITORY_ROOT, loadShippedStacks } from "./helpers/shippedStacks";

import program = require("../index");

interface ProgramRun {
    outputs?: Record<string, unknown>;
    /** Error messages without the SDK's `error serializing property "<input>": ` prefixes. */
    errors: string[];
    resources: RecordedResource[];
}

function cleanMessage(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    return message.replace(/^(?:error serializing property "[^"]+": )+/, "");
}

/**
 * Runs the program as `pulumi up` would, with `config` (full keys to strings) and mocks that
 * return `identity` as the caller's account. An Output that fails leaves the stack outputs pending,
 * so a failed run ends once a turn of the event loop adds neither an error nor a recorded resource.
 * At that point no resource can register after the failure (see waitForIdleRuntime).
 */
async function runProgram(stack: string, config: Record<string, string>, identity: MockAwsIdentity, secretKeys: string[] = []): Promise<ProgramRun> {
    const mocks = new CredentialRoleMocks(identity);
    await pulumi.runtime.setMocks(mocks, "cloudbreak-role", stack, false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(secretKeys);

    const errors: unknown[] = [];
    let reportFailure: () => void = () => undefined;
    const failed = new Promise<undefined>((resolve) => (reportFailure = () => resolve(undefined)));
    const onRejection = (reason: unknown) => {
        errors.push(reason);
        reportFailure();
    };
    const previousListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", onRejection);
    let outputs: Record<string, unknown> | undefined;
    try {
        outputs = (await Promise.race([pulumi.runtime.runInPulumiStack(program), failed])) as Record<string, unknown> | undefined;
    } catch (error) {
        errors.push(error);
    }
    try {
        if (errors.length > 0) {
            await waitForIdleRuntime(() => `${errors.length} errors, ${mocks.resources.length} resources`);
        }
    } finally {
        process.removeAllListeners("unhandledRejection");
        previousListeners.forEach((listener) => process.on("unhandledRejection", listener));
        delete process.env.PULUMI_CONFIG_SECRET_KEYS;
    }
    if (errors.length > 0) {
        // Fresh mocks drop the pending operations of the failed run, which the SDK would report as leaked at exit.
        await pulumi.runtime.setMocks(new CredentialRoleMocks(identity), "cloudbreak-role", stack, false);
    }
    return { outputs: errors.length === 0 ? outputs : undefined, errors: [...new Set(errors.map(cleanMessage))], resources: [...mocks.resources] };
}

const shippedStacks = loadShippedStacks();

/** Returns the example stack's configuration, which the error cases change one key at a time. */
function exampleConfig(): Record<string, string> {
    return { ...loadStackConfig({ stack: "example", projectDir: REPOSITORY_ROOT }).config };
}

const EXAMPLE_IDENTITY: MockAwsIdentity = { accountId: "111122223333", partition: "aws", region: "eu-west-1" };

describe("program", () => {
    describe("shipped stacks", () => {
        it("covers every stack file", () => {
            assert.deepEqual(
                shippedStacks.map((shipped) => shipped.stack),
                ["example", "govcloud-cdp"],
            );
        });

        const expectedArns: Record<string, string> = {
            example: `arn:${"aws"}:iam::111122223333:role/cbreak-deployer`,
            "govcloud-cdp": `arn:${"aws-us-gov"}:iam::210987654321:role/cloudera/cdp-cross-account`,
        };

        for (const shipped of shippedStacks) {
            describe(shipped.stack, () => {
                let run: ProgramRun;
                const args = shipped.settings.args;
                const roleName = args.roleName ?? "cbreak-deployer";

                before(async () => {
                    const { config, region } = loadStackConfig({ stack: shipped.stack, projectDir: REPOSITORY_ROOT });
                    run = await runProgram(shipped.stack, config, { accountId: shipped.settings.accountId, partition: shipped.partition, region });
                });

                it("succeeds", () => {
                    assert.deepEqual(run.errors, []);
                });

                it("creates exactly the expected resources", () => {
                    const roleInputs: Record<string, unknown> = {
                        assumeRolePolicy: shipped.documents.trustPolicy,
                        forceDetachPolicies: true,
                        maxSessionDuration: args.maxSessionDurationSeconds ?? 3600,
                        name: roleName,
                        path: args.path ?? "/",
                    };
                    if (args.description !== undefined) {
                        roleInputs.description = args.description;
                    }
                    if (args.tags !== undefined && Object.keys(args.tags).length > 0) {
                        roleInputs.tags = args.tags;
                    }
                    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
                    assert.deepEqual(
                        run.resources.map(({ type, name, inputs }) => ({ type, name, inputs })).sort(byName),
                        [
                            { type: "cloudbreak:aws:CredentialRole", name: "cloudbreak", inputs: {} },
                            { type: "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive", name: "cloudbreak-inline-policies", inputs: { policyNames: ["cb-policy"], roleName } },
                            { type: "aws:iam/rolePolicy:RolePolicy", name: "cloudbreak-policy", inputs: { name: "cb-policy", policy: shipped.documents.permissionsPolicy, role: roleName } },
                            { type: "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive", name: "cloudbreak-policy-attachments", inputs: { policyArns: [], roleName } },
                            { type: "aws:iam/role:Role", name: "cloudbreak-role", inputs: roleInputs },
                            { type: "pulumi:pulumi:Stack", name: `cloudbreak-role-${shipped.stack}`, inputs: {} },
                        ].sort(byName),
                    );
                });

                it("exports the role ARN", () => {
                    assert.equal(run.outputs?.roleArn, expectedArns[shipped.stack]);
                });

                it("exports every output", () => {
                    assert.deepEqual(run.outputs, {
                        accountId: shipped.settings.accountId,
                        roleArn: expectedArns[shipped.stack],
                        roleName,
                        externalIds: args.externalIds,
                        trustPolicy: shipped.documents.trustPolicy,
                        permissionsPolicy: shipped.documents.permissionsPolicy,
                        cloudbreakCredential: buildCloudbreakCredential({
                            name: args.credentialName ?? roleName,
                            roleArn: expectedArns[shipped.stack],
                            partition: shipped.partition,
                        }),
                    });
                });
            });
        }

        it("trusts the deployer account with the external ID in example", () => {
            const example = shippedStacks.find((shipped) => shipped.stack === "example");
            assert.deepEqual(JSON.parse(example?.documents.trustPolicy ?? "null"), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: `arn:${"aws"}:iam::444455556666:root` },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "sts:ExternalId": "provision-ambari" } },
                    },
                ],
            });
        });
    });

    describe("configuration errors", () => {
        it("names the unknown key externalId", async () => {
            const config = { ...exampleConfig(), "cloudbreak-role:externalId": "abc" };
            const run = await runProgram("example", config, EXAMPLE_IDENTITY);
            assert.deepEqual(run.errors, [
                'Stack example: Invalid cloudbreak-role:externalId "abc": the program does not know this key. Did you mean cloudbreak-role:externalIds? The keys are listed in Pulumi.yaml',
            ]);
            assert.deepEqual(run.resources.filter((resource) => resource.type.startsWith("aws:iam")), []);
        });

        it("fails for credentials of another account", async () => {
            const run = await runProgram("example", exampleConfig(), { ...EXAMPLE_IDENTITY, accountId: "999988887777" });
            assert.deepEqual(run.errors, [
                "Wrong AWS account: the stack describes end-user account 111122223333, but the AWS credentials in use belong to account 999988887777. Nothing was created. Use credentials (AWS_PROFILE or the aws provider's profile or assumeRoles) of account 111122223333, or correct accountId.",
            ]);
            assert.deepEqual(run.resources.filter((resource) => resource.type.startsWith("aws:iam")), []);
        });

        // One invalid value per key, with the exact message of the program.
        const partition = "aws";
        const invalidValues: Record<keyof typeof CONFIG_KEYS, [string, string]> = {
            accountId: [
                "12345",
                'Stack example: Invalid cloudbreak-role:accountId "12345": an AWS account ID is exactly 12 digits. Use the 12-digit account ID, as a quoted string such as "123456789012"',
            ],
            deployerAccountId: [
                "4444-5555-6666",
                'Stack example: Invalid cloudbreak-role:deployerAccountId "4444-5555-6666": an AWS account ID is exactly 12 digits. Use the 12-digit account ID, as a quoted string such as "123456789012"',
            ],
            deployerPrincipalArns: [
                `["arn:${partition}:iam::123456789012:role/other"]`,
                `Stack example: Invalid cloudbreak-role:deployerPrincipalArns[0] "arn:${partition}:iam::123456789012:role/other": it must belong to deployerAccountId 444455556666, not 123456789012. Use ARNs such as arn:<partition>:iam::444455556666:role/cloudbreak, or leave the list empty to trust the whole account`,
            ],
            externalIds: [
                '["x"]',
                'Stack example: Invalid cloudbreak-role:externalIds[0] "x": an external ID has 2 to 1224 characters. Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, the value from `cdp environments get-credential-prerequisites` for CDP',
            ],
            roleName: [
                "bad name!",
                'Stack example: Invalid cloudbreak-role:roleName "bad name!": a role name may contain only letters, digits and _ + = , . @ -. Choose a name such as cbreak-deployer',
            ],
            path: [
                "cloudera",
                'Stack example: Invalid cloudbreak-role:path "cloudera": a path is / alone or starts and ends with / and has no spaces or non-ASCII characters. Use / or a path such as /cloudbreak/',
            ],
            description: [
                "caf\u00e9 \u2615",
                'Stack example: Invalid cloudbreak-role:description "caf\u00e9 \u2615": a role description may contain only printable Basic Latin and Latin-1 characters. Shorten the text or remove the characters outside Latin-1',
            ],
            policy: [
                "cloudbreak-3",
                'Stack example: Invalid cloudbreak-role:policy "cloudbreak-3": the presets are cloudbreak-1, cloudbreak-2, cdp. Use cloudbreak-1 for cbd up to 2.2, cloudbreak-2 for cbd 2.6 to 2.9, cdp for CDP',
            ],
            permissionsBoundaryArn: [
                "boundary",
                'Stack example: Invalid cloudbreak-role:permissionsBoundaryArn "boundary": it must be the ARN of an IAM managed policy. Use a managed policy ARN such as arn:<partition>:iam::123456789012:policy/cloudbreak-boundary',
            ],
            maxSessionDurationSeconds: [
                "60",
                "Stack example: Invalid cloudbreak-role:maxSessionDurationSeconds 60: IAM allows 3600 to 43200 seconds. Use a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)",
            ],
            managedPolicyArns: [
                '["ReadOnlyAccess"]',
                'Stack example: Invalid cloudbreak-role:managedPolicyArns[0] "ReadOnlyAccess": it must be the ARN of an IAM managed policy. Use a managed policy ARN such as arn:<partition>:iam::123456789012:policy/cloudbreak-boundary',
            ],
            tags: ['["team"]', 'Stack example: Invalid cloudbreak-role:tags[0] "team": a tag entry has the form Key=Value. Write it as e.g. "team=data-platform"'],
            credentialName: [
                "Analytics_EU",
                'Stack example: Invalid cloudbreak-role:credentialName "Analytics_EU": Cloudbreak credential names match ^[a-z][-a-z0-9]*[a-z0-9]$. Use lower-case letters, digits and hyphens, starting with a letter, e.g. aws-prod-eu',
            ],
            allowedRegions: [
                '["mars-north-1"]',
                'Stack example: Invalid cloudbreak-role:allowedRegions[0] "mars-north-1": it is not an AWS region code (lower case, e.g. eu-west-1). Use region codes such as eu-west-1, or leave the input unset to allow every region',
            ],
            adoptExisting: ["yes", 'Stack example: Invalid cloudbreak-role:adoptExisting "yes": it must be true or false. Write true or false without quotes'],
            exclusivePolicyManagement: ["0", 'Stack example: Invalid cloudbreak-role:exclusivePolicyManagement "0": it must be true or false. Write true or false without quotes'],
        };
        for (const [key, [value, message]] of Object.entries(invalidValues)) {
            it(`rejects ${key} ${value}`, async () => {
                const config = { ...exampleConfig(), [`cloudbreak-role:${key}`]: value };
                const run = await runProgram("example", config, EXAMPLE_IDENTITY);
                assert.deepEqual(run.errors, [message]);
                assert.deepEqual(run.resources.filter((resource) => resource.type.startsWith("aws:iam")), []);
            });
        }
    });

    describe("Pulumi.yaml", () => {
        const project = parse(readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as {
            config: Record<string, { type: string; items?: { type: string }; default?: unknown }>;
        };
        it("declares the keys of CONFIG_KEYS with their types", () => {
            const declared = Object.fromEntries(Object.entries(project.config).map(([key, declaration]) => [key, declaration.type]));
            const expected = Object.fromEntries(Object.entries(CONFIG_KEYS).map(([key, spec]) => [key, spec.type]));
            assert.deepEqual(declared, expected);
        });

        it("gives unset keys an empty default", () => {
            const defaults = EMPTY_MEANS_UNSET.map((key) => [key, project.config[key]?.default]);
            assert.deepEqual(defaults, [
                ["description", ""],
                ["permissionsBoundaryArn", ""],
                ["credentialName", ""],
                ["allowedRegions", []],
            ]);
        });

        it("gives every optional declared key a default", () => {
            const withoutDefault = Object.entries(project.config)
                .filter(([key, declaration]) => !CONFIG_KEYS[key]?.required && declaration.default === undefined)
                .map(([key]) => key);
            assert.deepEqual(withoutDefault, []);
        });

        it("declares lists of strings", () => {
            const itemTypes = Object.entries(project.config)
                .filter(([, declaration]) => declaration.type === "array")
                .map(([key, declaration]) => [key, declaration.items?.type]);
            assert.deepEqual(itemTypes, [
                ["deployerPrincipalArns", "string"],
                ["externalIds", "string"],
                ["managedPolicyArns", "string"],
                ["tags", "string"],
                ["allowedRegions", "string"],
            ]);
        });
    });
});
