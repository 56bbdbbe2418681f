/**
 * Feeds hostile strings into every string input, through the component's arguments and through
 * the stack configuration. Each case must either build documents that parse, round-trip and pass
 * the trust lint, or throw a ValidationError whose message names the input and stays short.
 */
import * as assert from "node:assert/strict";

import { lintTrustPolicy } from "../components/checks";
import { CloudbreakCredentialRoleArgs, buildCredentialRoleDocuments, resolveCredentialRoleArgs } from "../components/credentialRole";
import { Partition, PolicyDocument, PolicyStatement, TrustPolicyDocument, presetStatements } from "../components/policies";
import { CONFIG_KEYS, RawConfigValue, parseStackSettings, parseTagEntries } from "../components/stackConfig";
import { ValidationError } from "../components/validation";

const partition: Partition = "aws";
const DEPLOYER = "444455556666";
const ACCOUNT = "111122223333";

/** The maximum length of an error message caused by a hostile input. */
const MAX_MESSAGE_LENGTH = 1000;

const LONG = 100_000;

/** Hostile strings by a short name that test output can show. */
const HOSTILE: ReadonlyArray<[string, string]> = [
    ["empty", ""],
    ["space", " "],
    ["double quote", '"'],
    ["single quote", "'"],
    ["backslash", "\\"],
    ["escaped quote", '\\"'],
    ["newline", "\n"],
    ["carriage return and newline", "a\r\nb"],
    ["tab", "\t"],
    ["NUL", "\u0000"],
    ["JSON statement break", '"}],"Effect":"Allow'],
    ["JSON principal", '{"AWS":"*"}'],
    ["JSON array", '["*"]'],
    ["wildcard", "*"],
    ["astral", "\u{1F600}\u{1D518}"],
    ["lone surrogate", "\uD800"],
    ["right-to-left override", "\u202Eevil"],
    ["Hebrew", "\u05E9\u05DC\u05D5\u05DD"],
    ["zero-width space", "a\u200Bb"],
    ["byte order mark", "\uFEFF"],
    ["U+00FF", "\u00FF"],
    ["U+0100", "\u0100"],
    ["__proto__", "__proto__"],
    ["constructor", "constructor"],
    ["toString", "toString"],
    ["long ASCII", "A".repeat(LONG)],
    ["long Latin-1", "\u00E9".repeat(LONG)],
    ["long JSON", '"}],"Effect":"Allow'.repeat(LONG / 20)],
    ["long astral", "\u{1F600}".repeat(LONG / 2)],
];

/** Valid values that a hostile string is appended to, so that it reaches deeper checks. */
const VALID: Record<string, string> = {
    deployerAccountId: DEPLOYER,
    principalArn: `arn:${partition}:iam::${DEPLOYER}:role/cloudbreak`,
    externalId: "tenant-0001",
    roleName: "cbreak-deployer",
    path: "/cloudbreak/",
    description: "Cloudbreak role",
    policy: "cdp",
    sid: "ReadData",
    action: "s3:ListBucket",
    resource: `arn:${partition}:s3:::data-bucket`,
    conditionOperator: "StringEquals",
    conditionKey: "aws:PrincipalTag/team",
    conditionValue: "data",
    policyArn: `arn:${partition}:iam::${ACCOUNT}:policy/extra`,
    tagKey: "team",
    tagValue: "data",
    region: "eu-west-1",
    credentialName: "analytics-eu",
    accountId: ACCOUNT,
    partition,
};

/** One way to place a hostile string into the component's arguments. */
interface ArgumentInput {
    /** The input as error messages name it; any of these names is accepted. */
    names: string[];
    valid: string;
    apply(args: CloudbreakCredentialRoleArgs, value: string): CloudbreakCredentialRoleArgs;
}

function statementWith(overrides: Partial<Record<"Sid" | "Action" | "Resource" | "Condition", unknown>>): PolicyStatement {
    return {
        Sid: VALID.sid,
        Effect: "Allow",
        Action: [VALID.action],
        Resource: [VALID.resource],
        ...overrides,
    } as PolicyStatement;
}

const SIZE_NAMES = ["inline policy cb-policy"];

const ARGUMENT_INPUTS: Record<string, ArgumentInput> = {
    deployerAccountId: { names: ["deployerAccountId"], valid: VALID.deployerAccountId, apply: (args, value) => ({ ...args, deployerAccountId: value }) },
    deployerPrincipalArns: {
        names: ["deployerPrincipalArns", "trust policy"],
        valid: VALID.principalArn,
        apply: (args, value) => ({ ...args, deployerPrincipalArns: [value] }),
    },
    externalIds: { names: ["externalIds", "trust policy"], valid: VALID.externalId, apply: (args, value) => ({ ...args, externalIds: [value] }) },
    roleName: { names: ["roleName"], valid: VALID.roleName, apply: (args, value) => ({ ...args, roleName: value, credentialName: VALID.credentialName }) },
    "roleName as credential name": { names: ["roleName"], valid: VALID.roleName, apply: (args, value) => ({ ...args, roleName: value }) },
    path: { names: ["path"], valid: VALID.path, apply: (args, value) => ({ ...args, path: value }) },
    description: { names: ["description"], valid: VALID.description, apply: (args, value) => ({ ...args, description: value }) },
    policy: { names: ["policy"], valid: VALID.policy, apply: (args, value) => ({ ...args, policy: value as CloudbreakCredentialRoleArgs["policy"] }) },
    "additionalStatements Sid": {
        names: ["additionalStatements[0].Sid", ...SIZE_NAMES],
        valid: VALID.sid,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Sid: value })] }),
    },
    "additionalStatements Action": {
        names: ["additionalStatements[0].Action", ...SIZE_NAMES],
        valid: VALID.action,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Action: [value] })] }),
    },
    "additionalStatements Resource": {
        names: ["additionalStatements[0].Resource", ...SIZE_NAMES],
        valid: VALID.resource,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Resource: value })] }),
    },
    "additionalStatements Condition operator": {
        names: ["additionalStatements[0].Condition", ...SIZE_NAMES],
        valid: VALID.conditionOperator,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Condition: { [value]: { [VALID.conditionKey]: VALID.conditionValue } } })] }),
    },
    "additionalStatements Condition key": {
        names: ["additionalStatements[0].Condition", ...SIZE_NAMES],
        valid: VALID.conditionKey,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Condition: { StringEquals: { [value]: VALID.conditionValue } } })] }),
    },
    "additionalStatements Condition value": {
        names: ["additionalStatements[0].Condition", ...SIZE_NAMES],
        valid: VALID.conditionValue,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Condition: { StringEquals: { [VALID.conditionKey]: [value] } } })] }),
    },
    "additionalStatements key": {
        names: ["additionalStatements[0]"],
        valid: "Effect",
        apply: (args, value) => ({ ...args, additionalStatements: [{ ...statementWith({}), [value]: "x" } as PolicyStatement] }),
    },
    "additionalStatements Condition operator with a bad block": {
        names: ["additionalStatements[0].Condition"],
        valid: VALID.conditionOperator,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Condition: { [value]: "not a map" } })] }),
    },
    "additionalStatements Condition key with a bad value": {
        names: ["additionalStatements[0].Condition"],
        valid: VALID.conditionKey,
        apply: (args, value) => ({ ...args, additionalStatements: [statementWith({ Condition: { StringEquals: { [value]: "\u0100" } } })] }),
    },
    managedPolicyArns: { names: ["managedPolicyArns"], valid: VALID.policyArn, apply: (args, value) => ({ ...args, managedPolicyArns: [value] }) },
    permissionsBoundaryArn: { names: ["permissionsBoundaryArn"], valid: VALID.policyArn, apply: (args, value) => ({ ...args, permissionsBoundaryArn: value }) },
    "tags key": { names: ["tags"], valid: VALID.tagKey, apply: (args, value) => ({ ...args, tags: { [value]: VALID.tagValue } }) },
    "tags value": { names: ["tags"], valid: VALID.tagValue, apply: (args, value) => ({ ...args, tags: { [VALID.tagKey]: value } }) },
    allowedRegions: { names: ["allowedRegions"], valid: VALID.region, apply: (args, value) => ({ ...args, allowedRegions: [value] }) },
    credentialName: { names: ["credentialName"], valid: VALID.credentialName, apply: (args, value) => ({ ...args, credentialName: value }) },
    accountId: { names: ["accountId"], valid: VALID.accountId, apply: (args, value) => ({ ...args, accountId: value }) },
    partition: { names: ["partition"], valid: VALID.partition, apply: (args, value) => ({ ...args, partition: value as Partition }) },
};

const BASE_ARGS: CloudbreakCredentialRoleArgs = {
    deployerAccountId: DEPLOYER,
    externalIds: [VALID.externalId],
    policy: "cloudbreak-2",
    credentialName: VALID.credentialName,
};

/** The outcome of one hostile case: built documents, or the ValidationError that it threw. */
type Outcome = { built: true; trust: TrustPolicyDocument; permissions: PolicyDocument } | { built: false; error: ValidationError };

const tally = { cases: 0, built: 0, rejected: 0, longestMessage: 0 };

function buildFromArgs(args: CloudbreakCredentialRoleArgs): Outcome {
    try {
        const resolved = resolveCredentialRoleArgs(args);
        const documents = buildCredentialRoleDocuments({
            resolved,
            partition: resolved.partition ?? partition,
            deployerAccountId: args.deployerAccountId as string,
            externalIds: args.externalIds as string[],
        });
        return { built: true, trust: JSON.parse(documents.trustPolicy), permissions: JSON.parse(documents.permissionsPolicy) };
    } catch (error) {
        if (error instanceof ValidationError) {
            return { built: false, error };
        }
        throw error;
    }
}

/**
 * Checks one outcome and returns a description of what is wrong with it, or undefined. Built
 * documents must round-trip through JSON, hold one trust statement and the expected number of
 * permissions statements, and pass the trust lint. A rejection must name one of `names`.
 */
function problemWith(outcome: Outcome, names: readonly string[], lint: { deployerAccountId: string; partition: Partition }, statementCount: number): string | undefined {
    tally.cases += 1;
    if (!outcome.built) {
        tally.rejected += 1;
        const { message, name } = outcome.error;
        tally.longestMessage = Math.max(tally.longestMessage, message.length);
        if (name !== "ValidationError") {
            return `threw ${name}`;
        }
        if (message.length > MAX_MESSAGE_LENGTH) {
            return `message of ${message.length} characters: ${message.slice(0, 120)}...`;
        }
        if (!names.some((inputName) => message.includes(inputName))) {
            return `message names none of ${names.join(", ")}: ${message}`;
        }
        return undefined;
    }
    tally.built += 1;
    for (const document of [outcome.trust, outcome.permissions]) {
        try {
            assert.deepStrictEqual(JSON.parse(JSON.stringify(document)), document);
        } catch {
            return "the documents do not round-trip through JSON";
        }
    }
    if (outcome.trust.Statement.length !== 1) {
        return `the trust policy has ${outcome.trust.Statement.length} statements`;
    }
    if (outcome.permissions.Statement.length !== statementCount) {
        return `the permissions policy has ${outcome.permissions.Statement.length} statements, expected ${statementCount}`;
    }
    try {
        lintTrustPolicy(outcome.trust, lint);
    } catch (error) {
        return `the trust lint rejects the built document: ${(error as Error).message}`;
    }
    return undefined;
}

/** Returns what differs between the built documents and the inputs that they must carry verbatim. */
function contentProblem(outcome: Outcome, args: CloudbreakCredentialRoleArgs): string | undefined {
    if (!outcome.built) {
        return undefined;
    }
    const additional = args.additionalStatements ?? [];
    const start = presetStatements(args.policy ?? "cloudbreak-2", args.partition ?? partition).length;
    try {
        assert.deepStrictEqual(outcome.permissions.Statement.slice(start, start + additional.length), JSON.parse(JSON.stringify(additional)));
    } catch {
        return "the additional statements changed on the way into the document";
    }
    const externalIds = outcome.trust.Statement[0].Condition?.StringEquals?.["sts:ExternalId"];
    const expected = args.externalIds as string[];
    if (JSON.stringify(externalIds) !== JSON.stringify(expected.length === 1 ? expected[0] : expected)) {
        return "the external IDs changed on the way into the trust policy";
    }
    return undefined;
}

function expectedStatementCount(args: CloudbreakCredentialRoleArgs): number {
    const resolved = resolveCredentialRoleArgs(args);
    return presetStatements(resolved.policy, resolved.partition ?? partition).length + resolved.additionalStatements.length + (resolved.allowedRegions ? 1 : 0);
}

/** Returns the values tried for one input: each hostile string alone and appended to a valid value. */
function hostileVariants(valid: string): Array<[string, string]> {
    return HOSTILE.flatMap(([label, value]): Array<[string, string]> => [
        [label, value],
        [`valid + ${label}`, `${valid}${value}`],
    ]);
}

describe("hostile input", () => {
    after(() => {
        process.stdout.write(
            `      hostile input: ${tally.cases} cases, ${tally.built} built, ${tally.rejected} rejected, longest message ${tally.longestMessage} characters\n`,
        );
    });

    describe("component arguments", () => {
        for (const [inputName, input] of Object.entries(ARGUMENT_INPUTS)) {
            it(`handles ${inputName}`, () => {
                const problems: string[] = [];
                for (const [label, value] of hostileVariants(input.valid)) {
                    const args = input.apply(BASE_ARGS, value);
                    let outcome: Outcome;
                    try {
                        outcome = buildFromArgs(args);
                    } catch (error) {
                        problems.push(`${label}: crashed with ${String(error).slice(0, 200)}`);
                        continue;
                    }
                    const count = outcome.built ? expectedStatementCount(args) : 0;
                    const lintOptions = { deployerAccountId: args.deployerAccountId as string, partition: (args.partition ?? partition) as Partition };
                    const problem = problemWith(outcome, input.names, lintOptions, count) ?? contentProblem(outcome, args);
                    if (problem) {
                        problems.push(`${label}: ${problem}`);
                    }
                }

                assert.deepStrictEqual(problems, []);
            });
        }
    });

    describe("stack configuration", () => {
        const stack = "hostile";
        const baseConfig: Record<string, RawConfigValue> = {
            accountId: { value: ACCOUNT, secret: false },
            deployerAccountId: { value: DEPLOYER, secret: false },
            externalIds: { value: JSON.stringify([VALID.externalId]), secret: true },
            credentialName: { value: VALID.credentialName, secret: false },
        };
        const validByKey: Record<string, string> = {
            accountId: ACCOUNT,
            deployerAccountId: DEPLOYER,
            deployerPrincipalArns: VALID.principalArn,
            externalIds: VALID.externalId,
            roleName: VALID.roleName,
            path: VALID.path,
            description: VALID.description,
            policy: VALID.policy,
            permissionsBoundaryArn: `arn:${partition}:iam::${ACCOUNT}:policy/boundary`,
            maxSessionDurationSeconds: "3600",
            managedPolicyArns: VALID.policyArn,
            tags: `${VALID.tagKey}=${VALID.tagValue}`,
            credentialName: VALID.credentialName,
            allowedRegions: VALID.region,
            adoptExisting: "false",
            exclusivePolicyManagement: "true",
        };

        function buildFromConfig(config: Record<string, RawConfigValue>, region: string | undefined): Outcome {
            try {
                const settings = parseStackSettings(stack, config, region);
                return buildFromArgs(settings.args);
            } catch (error) {
                if (error instanceof ValidationError) {
                    return { built: false, error };
                }
                throw error;
            }
        }

        it("covers every config key", () => {
            assert.deepStrictEqual(Object.keys(validByKey).sort(), Object.keys(CONFIG_KEYS).sort());
        });

        for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
            it(`handles cloudbreak-role:${key}`, () => {
                const problems: string[] = [];
                const rawValues = (value: string): Array<[string, string]> =>
                    spec.type === "array"
                        ? [
                              ["as list entry", JSON.stringify([key === "tags" ? `${VALID.tagKey}=${value}` : value])],
                              ...(key === "tags" ? [["as tag key", JSON.stringify([`${value}=${VALID.tagValue}`])] as [string, string]] : []),
                              ["as raw text", value],
                          ]
                        : [["as text", value]];
                for (const [label, value] of hostileVariants(validByKey[key])) {
                    for (const [form, raw] of rawValues(value)) {
                        const secret = key === "externalIds";
                        const config = { ...baseConfig, [key]: { value: raw, secret } };
                        let outcome: Outcome;
                        try {
                            outcome = buildFromConfig(config, VALID.region);
                        } catch (error) {
                            problems.push(`${label} ${form}: crashed with ${String(error).slice(0, 200)}`);
                            continue;
                        }
                        const names = [`cloudbreak-role:${key}`, ...(key === "roleName" ? ["credentialName"] : []), "trust policy", "inline policy"];
                        const statementCount = outcome.built ? expectedStatementCount(parseStackSettings(stack, config, VALID.region).args) : 0;
                        const problem = problemWith(outcome, names, { deployerAccountId: DEPLOYER, partition }, statementCount);
                        if (problem) {
                            problems.push(`${label} ${form}: ${problem}`);
                        }
                        if (!outcome.built && secret && value.length >= 3 && outcome.error.message.includes(value)) {
                            problems.push(`${label} ${form}: the message shows the secret value`);
                        }
                    }
                }

                assert.deepStrictEqual(problems, []);
            });
        }

        it("handles a hostile aws:region", () => {
            const problems: string[] = [];
            for (const [label, region] of hostileVariants(VALID.region)) {
                const outcome = buildFromConfig(baseConfig, region);
                const problem = problemWith(outcome, ["region"], { deployerAccountId: DEPLOYER, partition: "aws" }, presetStatements("cloudbreak-2", "aws").length);
                if (problem) {
                    problems.push(`${label}: ${problem}`);
                }
            }

            assert.deepStrictEqual(problems, []);
        });
    });

    describe("parseTagEntries", () => {
        it("keeps keys named like Object members", () => {
            const tags = parseTagEntries(["__proto__=a", "constructor=b", "toString=c", "hasOwnProperty=d"], { name: "tags" });

            assert.deepStrictEqual(Object.entries(tags), [
                ["__proto__", "a"],
                ["constructor", "b"],
                ["toString", "c"],
                ["hasOwnProperty", "d"],
            ]);
        });

        it("rejects a repeated key", () => {
            assert.throws(() => parseTagEntries(["team=a", "team=b"], { name: "tags" }), {
                name: "ValidationError",
                message: 'Invalid tags[1] "team=b": the tag key "team" appears twice. Keep one entry per key',
            });
        });
    });
});
