import * as assert from "node:assert/strict";

import { CONFIG_KEYS, RawConfigValue, parseStackSettings, parseTagEntries } from "../components/stackConfig";
import { ValidationError } from "../components/validation";

/** The commercial partition, for ARNs written out in full. */
const AWS = "aws";

const END_USER = "111122223333";
const DEPLOYER = "444455556666";

function plain(value: string): RawConfigValue {
    return { value, secret: false };
}

function secret(value: string): RawConfigValue {
    return { value, secret: true };
}

const REQUIRED: Record<string, RawConfigValue> = {
    accountId: plain(END_USER),
    deployerAccountId: plain(DEPLOYER),
    externalIds: plain('["provision-ambari"]'),
};

/** Asserts that parsing throws a ValidationError with exactly this message and input. */
function assertInvalid(config: Record<string, RawConfigValue>, message: string, input: string, region?: string): void {
    assert.throws(
        () => parseStackSettings("dev", config, region),
        (error: unknown) => {
            assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
            assert.equal(error.message, message);
            assert.equal(error.input, input);
            return true;
        },
    );
}

describe("stackConfig", () => {
    describe("parseStackSettings", () => {
        it("returns the required keys", () => {
            assert.deepStrictEqual(parseStackSettings("dev", REQUIRED), {
                accountId: END_USER,
                args: {
                    accountId: END_USER,
                    deployerAccountId: DEPLOYER,
                    deployerPrincipalArns: undefined,
                    externalIds: ["provision-ambari"],
                    roleName: undefined,
                    path: undefined,
                    description: undefined,
                    policy: undefined,
                    permissionsBoundaryArn: undefined,
                    maxSessionDurationSeconds: undefined,
                    managedPolicyArns: undefined,
                    tags: undefined,
                    credentialName: undefined,
                    allowedRegions: undefined,
                    adoptExisting: undefined,
                    exclusivePolicyManagement: undefined,
                    partition: undefined,
                },
                externalIdsSecret: false,
            });
        });

        it("parses every key", () => {
            const boundary = `arn:aws-us-gov:iam::${END_USER}:policy/boundary`;
            const managed = "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess";
            const principal = `arn:aws-us-gov:iam::${DEPLOYER}:role/cloudbreak`;
            const settings = parseStackSettings(
                "gov",
                {
                    ...REQUIRED,
                    externalIds: secret('["tenant-id"]'),
                    deployerPrincipalArns: plain(JSON.stringify([principal])),
                    roleName: plain("cloudbreak-gov"),
                    path: plain("/cloudbreak/"),
                    description: plain("Assumed by CDP"),
                    policy: plain("cdp"),
                    permissionsBoundaryArn: plain(boundary),
                    maxSessionDurationSeconds: plain("7200"),
                    managedPolicyArns: plain(JSON.stringify([managed])),
                    tags: plain('["team=data-platform","formula=a=b"]'),
                    credentialName: plain("gov-prod"),
                    allowedRegions: plain('["us-gov-west-1"]'),
                    adoptExisting: plain("true"),
                    exclusivePolicyManagement: plain("false"),
                },
                "us-gov-west-1",
            );

            assert.deepStrictEqual(settings, {
                accountId: END_USER,
                args: {
                    accountId: END_USER,
                    deployerAccountId: DEPLOYER,
                    deployerPrincipalArns: [principal],
                    externalIds: ["tenant-id"],
                    roleName: "cloudbreak-gov",
                    path: "/cloudbreak/",
                    description: "Assumed by CDP",
                    policy: "cdp",
                    permissionsBoundaryArn: boundary,
                    maxSessionDurationSeconds: 7200,
                    managedPolicyArns: [managed],
                    tags: { team: "data-platform", formula: "a=b" },
                    credentialName: "gov-prod",
                    allowedRegions: ["us-gov-west-1"],
                    adoptExisting: true,
                    exclusivePolicyManagement: false,
                    partition: "aws-us-gov",
                },
                externalIdsSecret: true,
            });
        });

        for (const [region, partition] of [
            ["eu-west-1", "aws"],
            ["cn-north-1", "aws-cn"],
            ["us-gov-east-1", "aws-us-gov"],
        ] as const) {
            it(`derives ${partition} from ${region}`, () => {
                assert.equal(parseStackSettings("dev", REQUIRED, region).args.partition, partition);
            });
        }

        it("parses adoptExisting false", () => {
            assert.equal(parseStackSettings("dev", { ...REQUIRED, adoptExisting: plain("false") }).args.adoptExisting, false);
        });

        it("suggests externalIds for externalId", () => {
            assertInvalid(
                { ...REQUIRED, externalId: plain("provision-ambari") },
                'Stack dev: Invalid cloudbreak-role:externalId "provision-ambari": the program does not know this key. Did you mean cloudbreak-role:externalIds? The keys are listed in Pulumi.yaml',
                "cloudbreak-role:externalId",
            );
        });

        it("lists the keys when nothing is similar", () => {
            assertInvalid(
                { ...REQUIRED, region: plain("eu-west-1") },
                `Stack dev: Invalid cloudbreak-role:region "eu-west-1": the program does not know this key. The known keys are ${Object.keys(CONFIG_KEYS).join(", ")}`,
                "cloudbreak-role:region",
            );
        });

        for (const key of ["constructor", "toString", "__proto__"]) {
            it(`rejects the key ${key}`, () => {
                const config = { ...REQUIRED };
                Object.defineProperty(config, key, { value: plain("x"), enumerable: true });
                assert.throws(() => parseStackSettings("dev", config), { input: `cloudbreak-role:${key}` });
            });
        }

        it("hides a secret unknown key", () => {
            assertInvalid(
                { ...REQUIRED, externalId: secret("tenant-id") },
                "Stack dev: Invalid cloudbreak-role:externalId [secret]: the program does not know this key. Did you mean cloudbreak-role:externalIds? The keys are listed in Pulumi.yaml",
                "cloudbreak-role:externalId",
            );
        });

        for (const key of ["accountId", "deployerAccountId", "externalIds"]) {
            it(`requires ${key}`, () => {
                const config = { ...REQUIRED };
                delete config[key];
                assertInvalid(
                    config,
                    `Stack dev: Missing cloudbreak-role:${key}: this key is required. Set it with \`pulumi config set cloudbreak-role:${key} ...\` or in the stack file.`,
                    `cloudbreak-role:${key}`,
                );
            });
        }

        it("rejects an integer abc", () => {
            assertInvalid(
                { ...REQUIRED, maxSessionDurationSeconds: plain("abc") },
                'Stack dev: Invalid cloudbreak-role:maxSessionDurationSeconds "abc": it must be a whole number. Write it without quotes, e.g. 3600',
                "cloudbreak-role:maxSessionDurationSeconds",
            );
        });

        for (const raw of ["1e4", "0x10", "3600.0"]) {
            it(`rejects the integer ${raw}`, () => {
                assertInvalid(
                    { ...REQUIRED, maxSessionDurationSeconds: plain(raw) },
                    `Stack dev: Invalid cloudbreak-role:maxSessionDurationSeconds "${raw}": it must be a whole number. Write it without quotes, e.g. 3600`,
                    "cloudbreak-role:maxSessionDurationSeconds",
                );
            });
        }

        it("rejects a misspelled namespace", () => {
            assert.throws(
                () => parseStackSettings("dev", REQUIRED, "eu-west-1", ["aws:region", "cloudbreak_role:deployerPrincipalArns"]),
                {
                    message:
                        "Stack dev: Invalid config key cloudbreak_role:deployerPrincipalArns: the namespace cloudbreak_role is not cloudbreak-role, so the program would ignore the key. Rename it to cloudbreak-role:deployerPrincipalArns.",
                    input: "cloudbreak_role:deployerPrincipalArns",
                },
            );
        });

        it("accepts other namespaces", () => {
            const settings = parseStackSettings("dev", REQUIRED, "eu-west-1", ["aws:region", "aws:profile", "cloudbreak-role:accountId", "other:key"]);
            assert.equal(settings.args.partition, "aws");
        });

        for (const [region, rule] of [
            ["US-GOV-WEST-1", "it is not an AWS region code (lower case, e.g. eu-west-1)"],
            ["us-east-1x", "it is not an AWS region code (lower case, e.g. eu-west-1)"],
            ["us-iso-east-1", "regions of the isolated partitions are not supported; the partitions are aws, aws-cn and aws-us-gov"],
        ]) {
            it(`rejects the region ${region}`, () => {
                assertInvalid(
                    REQUIRED,
                    `Stack dev: Invalid aws:region "${region}": ${rule}. Use a region code such as eu-west-1, cn-north-1 or us-gov-west-1`,
                    "aws:region",
                    region,
                );
            });
        }

        it("reads exclusivePolicyManagement false", () => {
            const settings = parseStackSettings("dev", { ...REQUIRED, exclusivePolicyManagement: plain("false") });
            assert.strictEqual(settings.args.exclusivePolicyManagement, false);
        });

        it("rejects a secret description", () => {
            assertInvalid(
                { ...REQUIRED, description: { value: "Assumed by Cloudbreak", secret: true } },
                "Stack dev: Invalid cloudbreak-role:description [secret]: a role description is readable by anyone who may call iam:GetRole, so it cannot be kept secret. Store it in plain text (pulumi config set without --secret).",
                "cloudbreak-role:description",
            );
        });

        it("reads empty defaults as unset", () => {
            const settings = parseStackSettings("dev", {
                ...REQUIRED,
                description: plain(""),
                permissionsBoundaryArn: plain(""),
                credentialName: plain(""),
                allowedRegions: plain("[]"),
            });

            assert.strictEqual(settings.args.description, undefined);
            assert.strictEqual(settings.args.permissionsBoundaryArn, undefined);
            assert.strictEqual(settings.args.credentialName, undefined);
            assert.strictEqual(settings.args.allowedRegions, undefined);
        });

        it("rejects an empty integer", () => {
            assert.throws(() => parseStackSettings("dev", { ...REQUIRED, maxSessionDurationSeconds: plain(" ") }), {
                input: "cloudbreak-role:maxSessionDurationSeconds",
            });
        });

        it("rejects an integer out of range", () => {
            assertInvalid(
                { ...REQUIRED, maxSessionDurationSeconds: plain("60") },
                "Stack dev: Invalid cloudbreak-role:maxSessionDurationSeconds 60: IAM allows 3600 to 43200 seconds. Use a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)",
                "cloudbreak-role:maxSessionDurationSeconds",
            );
        });

        it("rejects a boolean yes", () => {
            assertInvalid(
                { ...REQUIRED, adoptExisting: plain("yes") },
                'Stack dev: Invalid cloudbreak-role:adoptExisting "yes": it must be true or false. Write true or false without quotes',
                "cloudbreak-role:adoptExisting",
            );
        });

        it("rejects a list given as a plain string", () => {
            assertInvalid(
                { ...REQUIRED, externalIds: plain("provision-ambari") },
                `Stack dev: Invalid cloudbreak-role:externalIds "provision-ambari": it must be a list. Write it as a YAML list, e.g. ["value"] or one '- value' line per entry`,
                "cloudbreak-role:externalIds",
            );
        });

        it("rejects a list given as a JSON string", () => {
            assert.throws(() => parseStackSettings("dev", { ...REQUIRED, allowedRegions: plain('"eu-west-1"') }), {
                message: `Stack dev: Invalid cloudbreak-role:allowedRegions "eu-west-1": it must be a list. Write it as a YAML list, e.g. ["value"] or one '- value' line per entry`,
            });
        });

        it("hides secret external IDs given as a string", () => {
            assertInvalid(
                { ...REQUIRED, externalIds: secret("tenant-id") },
                `Stack dev: Invalid cloudbreak-role:externalIds [secret]: it must be a list. Write it as a YAML list, e.g. ["value"] or one '- value' line per entry`,
                "cloudbreak-role:externalIds",
            );
        });

        it("hides an invalid secret external ID", () => {
            assertInvalid(
                { ...REQUIRED, externalIds: secret('["tenant-id","x"]') },
                "Stack dev: Invalid cloudbreak-role:externalIds[1] [secret]: an external ID has 2 to 1224 characters. Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, the value from `cdp environments get-credential-prerequisites` for CDP",
                "cloudbreak-role:externalIds[1]",
            );
        });

        it("shows an invalid plain account ID", () => {
            assertInvalid(
                { ...REQUIRED, accountId: plain("11112222333") },
                'Stack dev: Invalid cloudbreak-role:accountId "11112222333": an AWS account ID is exactly 12 digits. Use the 12-digit account ID, as a quoted string such as "123456789012"',
                "cloudbreak-role:accountId",
            );
        });

        it("checks principals against the deployer account", () => {
            const principal = `arn:${AWS}:iam::${END_USER}:role/cloudbreak`;
            assertInvalid(
                { ...REQUIRED, deployerPrincipalArns: plain(JSON.stringify([principal])) },
                `Stack dev: Invalid cloudbreak-role:deployerPrincipalArns[0] "${principal}": it must belong to deployerAccountId ${DEPLOYER}, not ${END_USER}. Use ARNs such as arn:<partition>:iam::${DEPLOYER}:role/cloudbreak, or leave the list empty to trust the whole account`,
                "cloudbreak-role:deployerPrincipalArns[0]",
            );
        });

        it("prefixes every message with the stack name", () => {
            const invalid: Record<string, RawConfigValue>[] = [
                { ...REQUIRED, roleName: plain("bad name") },
                { ...REQUIRED, path: plain("cloudbreak") },
                { ...REQUIRED, description: plain("🚀") },
                { ...REQUIRED, policy: plain("cloudbreak-3") },
                { ...REQUIRED, permissionsBoundaryArn: plain("boundary") },
                { ...REQUIRED, managedPolicyArns: plain('["x"]') },
                { ...REQUIRED, tags: plain('["team"]') },
                { ...REQUIRED, credentialName: plain("Bad") },
                { ...REQUIRED, allowedRegions: plain('["Europe"]') },
                { ...REQUIRED, unknown: plain("x") },
            ];
            for (const config of invalid) {
                assert.throws(
                    () => parseStackSettings("prod-eu", config),
                    (error: Error) => /^Stack prod-eu: Invalid cloudbreak-role:\w+/.test(error.message),
                );
            }
        });

        it("passes on errors that are not validation errors", () => {
            const config = { ...REQUIRED };
            Object.defineProperty(config, "roleName", {
                enumerable: true,
                get() {
                    throw new TypeError("broken config");
                },
            });
            assert.throws(() => parseStackSettings("dev", config), { name: "TypeError", message: "broken config" });
        });
    });

    describe("parseTagEntries", () => {
        const label = { name: "cloudbreak-role:tags" };

        it("splits at the first equals sign", () => {
            assert.deepStrictEqual(parseTagEntries(["team=data", "formula=a=b", "empty="], label), { team: "data", formula: "a=b", empty: "" });
        });

        it("keeps keys named like Object members", () => {
            assert.deepStrictEqual(parseTagEntries(["constructor=x", "toString=y"], label), { constructor: "x", toString: "y" });
        });

        it("rejects an entry without equals sign", () => {
            assert.throws(() => parseTagEntries(["team"], label), {
                name: "ValidationError",
                message: 'Invalid cloudbreak-role:tags[0] "team": a tag entry has the form Key=Value. Write it as e.g. "team=data-platform"',
                input: "cloudbreak-role:tags[0]",
            });
        });

        it("rejects a key given twice", () => {
            assert.throws(() => parseTagEntries(["team=a", "team=b"], label), {
                message: 'Invalid cloudbreak-role:tags[1] "team=b": the tag key "team" appears twice. Keep one entry per key',
                input: "cloudbreak-role:tags[1]",
            });
        });

        it("rejects an empty key", () => {
            assert.throws(() => parseTagEntries(["=value"], label), {
                message: 'Invalid cloudbreak-role:tags key "": a tag key has 1 to 128 characters. Use letters, digits, spaces and _ . : / = + - @ in tag keys and values',
                input: "cloudbreak-role:tags key",
            });
        });

        it("rejects the aws: prefix", () => {
            assert.throws(() => parseTagEntries(["aws:team=x"], label), { input: "cloudbreak-role:tags key" });
        });

        it("hides secret entries", () => {
            assert.throws(() => parseTagEntries([1], { name: "cloudbreak-role:tags", secret: true }), {
                message: 'Invalid cloudbreak-role:tags[0] [secret]: a tag entry has the form Key=Value. Write it as e.g. "team=data-platform"',
            });
        });
    });
});
