/**
 * The offline `plan` command: its stack file loader in-process, and the command itself as a
 * child process (`node bin/cloudbreak-role.js plan ...`), as a user runs it.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { allStackRequests, isPlanError, planStacks } from "../cli/plan";
import { StackConfigError, loadStackConfig } from "../cli/stackFile";
import { buildCloudbreakCredential } from "../components/handoff";
import { REPOSITORY_ROOT, loadShippedStacks } from "./helpers/shippedStacks";

const BIN = path.join(REPOSITORY_ROOT, "bin", "cloudbreak-role.js");

interface CommandResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

function runPlan(args: string[], cwd = REPOSITORY_ROOT): CommandResult {
    const child = spawnSync(process.execPath, [BIN, "plan", ...args], { cwd, encoding: "utf8" });
    return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const STACK_HEAD = ["config:", '  cloudbreak-role:accountId: "111122223333"', '  cloudbreak-role:deployerAccountId: "444455556666"'];

/** Writes a project directory whose Pulumi.yaml runs this repository's program. */
function writeProject(dir: string, stacks: Record<string, string[]>): void {
    const project = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, `main: ${path.join(REPOSITORY_ROOT, "index.ts")}`);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), project);
    for (const [stack, lines] of Object.entries(stacks)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), `${lines.join("\n")}\n`);
    }
}

function indent(text: string, spaces: number): string {
    return text
        .split("\n")
        .map((line) => " ".repeat(spaces) + line)
        .join("\n");
}

describe("plan", () => {
    const shipped = new Map(loadShippedStacks().map((stack) => [stack.stack, stack]));
    let tempDir: string;

    before(() => {
        tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudbreak-plan-"));
    });

    after(() => {
        fs.rmSync(tempDir, { recursive: true, force: true });
    });

    describe("loadStackConfig", () => {
        function writeStack(name: string, lines: string[]): string {
            const file = path.join(tempDir, `Pulumi.${name}.yaml`);
            fs.writeFileSync(file, `${lines.join("\n")}\n`);
            return file;
        }

        function loadError(configFile: string): string {
            try {
                loadStackConfig({ configFile, projectDir: REPOSITORY_ROOT });
            } catch (error) {
                assert.ok(error instanceof StackConfigError);
                return error.message;
            }
            return "no error";
        }

        it("merges declared defaults with the stack file", () => {
            const loaded = loadStackConfig({ stack: "example", projectDir: REPOSITORY_ROOT });
            assert.deepEqual(loaded.config, {
                "aws:region": "eu-west-1",
                "cloudbreak-role:accountId": "111122223333",
                "cloudbreak-role:deployerAccountId": "444455556666",
                "cloudbreak-role:externalIds": '["provision-ambari"]',
                "cloudbreak-role:policy": "cloudbreak-2",
                "cloudbreak-role:credentialName": "analytics-eu",
                "cloudbreak-role:tags": '["team=data-platform","managed-by=pulumi"]',
                "cloudbreak-role:deployerPrincipalArns": "[]",
                "cloudbreak-role:roleName": "cbreak-deployer",
                "cloudbreak-role:path": "/",
                "cloudbreak-role:maxSessionDurationSeconds": "3600",
                "cloudbreak-role:managedPolicyArns": "[]",
                "cloudbreak-role:adoptExisting": "false",
                "cloudbreak-role:description": "",
                "cloudbreak-role:permissionsBoundaryArn": "",
                "cloudbreak-role:allowedRegions": "[]",
            });
            assert.deepEqual(loaded.secretKeys, []);
            assert.equal(loaded.region, "eu-west-1");
            assert.equal(loaded.programPath, path.join(REPOSITORY_ROOT, "index.ts"));
        });

        it("puts keys without namespace in the project's", () => {
            const file = writeStack("bare", ["config:", '  accountId: "111122223333"', '  deployerAccountId: "444455556666"', "  externalIds: [abcdef]"]);
            const loaded = loadStackConfig({ configFile: file, projectDir: REPOSITORY_ROOT });
            assert.equal(loaded.stack, "bare");
            assert.equal(loaded.config["cloudbreak-role:externalIds"], '["abcdef"]');
        });

        it("rejects an integer abc", () => {
            const file = writeStack("integer", [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:maxSessionDurationSeconds: abc"]);
            assert.equal(
                loadError(file),
                'Stack integer: Invalid cloudbreak-role:maxSessionDurationSeconds "abc": Pulumi.yaml declares it as integer, so pulumi up rejects it. Write a whole number without quotes, e.g. 3600.',
            );
        });

        it("rejects a list of numbers", () => {
            const file = writeStack("numbers", [...STACK_HEAD, "  cloudbreak-role:externalIds: [12, 34]"]);
            assert.equal(
                loadError(file),
                "Stack numbers: Invalid cloudbreak-role:externalIds [12,34]: Pulumi.yaml declares it as array<string>, so pulumi up rejects it. Write it as a YAML list of strings, e.g. one '- value' line per entry.",
            );
        });

        it("rejects a boolean yes", () => {
            const file = writeStack("boolean", [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:adoptExisting: yes"]);
            assert.equal(
                loadError(file),
                'Stack boolean: Invalid cloudbreak-role:adoptExisting "yes": Pulumi.yaml declares it as boolean, so pulumi up rejects it. Write true or false without quotes.',
            );
        });

        it("names missing required keys", () => {
            const file = writeStack("missing", ["config:", "  aws:region: eu-west-1"]);
            assert.equal(
                loadError(file),
                "Stack missing: missing configuration values 'accountId', 'deployerAccountId' and 'externalIds': Pulumi.yaml declares them without a default, so pulumi up stops before the program runs. Set each in Pulumi.missing.yaml or with pulumi config set.",
            );
        });

        it("replaces a secret external ID by a placeholder", () => {
            const file = writeStack("secret", [...STACK_HEAD, "  cloudbreak-role:externalIds:", "    - secure: v1:c2VjcmV0"]);
            const loaded = loadStackConfig({ configFile: file, projectDir: REPOSITORY_ROOT });
            assert.equal(loaded.config["cloudbreak-role:externalIds"], '["SECRET_PLACEHOLDER_1"]');
            assert.deepEqual(loaded.secretKeys, ["cloudbreak-role:externalIds"]);
            assert.deepEqual(loaded.placeholders, { SECRET_PLACEHOLDER_1: "cloudbreak-role:externalIds" });
        });

        it("rejects a secret role name", () => {
            const file = writeStack("secretname", [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:roleName:", "    secure: v1:c2VjcmV0"]);
            assert.equal(
                loadError(file),
                "Stack secretname: cloudbreak-role:roleName is a secret (secure: in Pulumi.secretname.yaml), which plan cannot decrypt; plan checks only externalIds and description as secrets. Run pulumi preview for this stack, or store cloudbreak-role:roleName in plain text.",
            );
        });

        it("rejects a file name without stack", () => {
            const file = path.join(tempDir, "stack.yaml");
            fs.writeFileSync(file, "config: {}\n");
            assert.equal(
                loadError(file),
                `Cannot tell the stack name of ${file}: a stack file is named Pulumi.<stack>.yaml. Rename the file or pass --stack NAME.`,
            );
        });
    });

    describe("planStacks", () => {
        it("keeps stacks apart in one process", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "batch-"));
            const stackLines = (account: string, extra: string[]) => [
                "config:",
                `  cloudbreak-role:accountId: "${account}"`,
                '  cloudbreak-role:deployerAccountId: "444455556666"',
                `  cloudbreak-role:externalIds: [tenant-${account}]`,
                ...extra,
            ];
            // A partition mismatch fails inside an Output, after the stack has started.
            const foreignPolicy = [`  cloudbreak-role:managedPolicyArns: ["arn:${"aws-cn"}:iam::aws:policy/ReadOnlyAccess"]`];
            writeProject(dir, {
                a: stackLines("100000000001", foreignPolicy),
                b: stackLines("100000000002", []),
                c: stackLines("100000000003", foreignPolicy),
                d: stackLines("100000000004", ["  cloudbreak-role:roleName: other"]),
            });
            const results = await planStacks(allStackRequests(dir));
            const invalid = (stack: string) =>
                `Stack ${stack}: Invalid cloudbreak-role:managedPolicyArns[0] "arn:${"aws-cn"}:iam::aws:policy/ReadOnlyAccess": it is in partition aws-cn, but the role is in aws. Use the ARN from partition aws.`;
            assert.deepEqual(
                results.map((result) => (isPlanError(result) ? [result.stack, result.error] : [result.stack, result.outputs.roleArn, result.outputs.externalIds, result.resources.length])),
                [
                    ["a", invalid("a")],
                    ["b", `arn:${"aws"}:iam::100000000002:role/cbreak-deployer`, ["tenant-100000000002"], 5],
                    ["c", invalid("c")],
                    ["d", `arn:${"aws"}:iam::100000000004:role/other`, ["tenant-100000000004"], 5],
                ],
            );
        });
    });

    describe("command", () => {
        it("prints the example plan as text", () => {
            const example = shipped.get("example");
            const result = runPlan(["--stack", "example"]);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, "");
            const lines = result.stdout.split("\n");
            assert.equal(lines[0], "Stack example: pulumi up would create 5 resources");
            assert.ok(lines.includes(`  roleArn: "arn:${"aws"}:iam::111122223333:role/cbreak-deployer"`));
            const trustBlock = `  trustPolicy:\n${indent(JSON.stringify(JSON.parse(example?.documents.trustPolicy ?? "null"), null, 2), 4)}\n`;
            assert.ok(result.stdout.includes(trustBlock));
            const policyBlock = `    policy:\n${indent(JSON.stringify(JSON.parse(example?.documents.permissionsPolicy ?? "null"), null, 2), 6)}\n`;
            assert.ok(result.stdout.includes(policyBlock));
        });

        it("prints the govcloud-cdp plan as JSON", () => {
            const govcloud = shipped.get("govcloud-cdp");
            const result = runPlan(["--stack", "govcloud-cdp", "--json"]);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, "");
            const plan = JSON.parse(result.stdout);
            const roleArn = `arn:${"aws-us-gov"}:iam::210987654321:role/cloudera/cdp-cross-account`;
            assert.deepEqual(Object.keys(plan), ["stack", "resources", "outputs", "warnings"]);
            assert.equal(plan.stack, "govcloud-cdp");
            assert.deepEqual(
                plan.resources.map((resource: { type: string; name: string }) => `${resource.type} ${resource.name}`).sort(),
                [
                    "aws:iam/role:Role cloudbreak-role",
                    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive cloudbreak-inline-policies",
                    "aws:iam/rolePolicy:RolePolicy cloudbreak-policy",
                    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive cloudbreak-policy-attachments",
                    "cloudbreak:aws:CredentialRole cloudbreak",
                ],
            );
            assert.deepEqual(plan.outputs, {
                accountId: "210987654321",
                roleArn,
                roleName: "cdp-cross-account",
                externalIds: ["6f1c2a4e-3b9d-4e7a-9c1f-2d8b5a7e4c10"],
                trustPolicy: govcloud?.documents.trustPolicy,
                permissionsPolicy: govcloud?.documents.permissionsPolicy,
                cloudbreakCredential: buildCloudbreakCredential({ name: "govcloud-cdp", roleArn, partition: "aws-us-gov" }),
            });
            assert.deepEqual(plan.warnings, []);
        });

        it("plans every stack with --all", () => {
            const result = runPlan(["--all", "--json"]);
            assert.equal(result.status, 0);
            const plans = JSON.parse(result.stdout) as { stack: string; outputs: { roleArn: string } }[];
            assert.deepEqual(
                plans.map((plan) => [plan.stack, plan.outputs.roleArn]),
                [
                    ["example", `arn:${"aws"}:iam::111122223333:role/cbreak-deployer`],
                    ["govcloud-cdp", `arn:${"aws-us-gov"}:iam::210987654321:role/cloudera/cdp-cross-account`],
                ],
            );
        });

        it("reports an invalid stack with --all and plans the others", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "all-"));
            writeProject(dir, {
                good: [...STACK_HEAD, "  cloudbreak-role:externalIds: [tenant-a]"],
                wrong: [...STACK_HEAD, "  cloudbreak-role:externalIds: [tenant-b]", "  cloudbreak-role:roleName: bad name!"],
            });
            const result = runPlan(["--all", "--json"], dir);
            assert.equal(result.status, 1);
            const invalid =
                'Stack wrong: Invalid cloudbreak-role:roleName "bad name!": a role name may contain only letters, digits and _ + = , . @ -. Choose a name such as cbreak-deployer';
            assert.equal(result.stderr, `${invalid}\n`);
            const results = JSON.parse(result.stdout) as { stack: string; error?: string; outputs?: { roleArn: string } }[];
            assert.deepEqual(
                results.map((entry) => [entry.stack, entry.outputs?.roleArn ?? entry.error]),
                [
                    ["good", `arn:${"aws"}:iam::111122223333:role/cbreak-deployer`],
                    ["wrong", invalid],
                ],
            );
        });

        it("rejects the unknown key externalId", () => {
            const file = path.join(tempDir, "Pulumi.typo.yaml");
            fs.writeFileSync(file, `${[...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:externalId: abcdef"].join("\n")}\n`);
            const result = runPlan(["--config-file", file]);
            assert.equal(result.status, 1);
            assert.equal(
                result.stderr,
                'Stack typo: Invalid cloudbreak-role:externalId "abcdef": the program does not know this key. Did you mean cloudbreak-role:externalIds? The keys are listed in Pulumi.yaml\n',
            );
            assert.equal(result.stdout, "");
        });

        it("shows a secret external ID as [secret]", () => {
            const file = path.join(tempDir, "Pulumi.hidden.yaml");
            fs.writeFileSync(file, `${[...STACK_HEAD, "  cloudbreak-role:externalIds:", "    - secure: v1:c2VjcmV0"].join("\n")}\n`);
            const result = runPlan(["--config-file", file, "--json"]);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, "");
            const plan = JSON.parse(result.stdout);
            assert.deepEqual(plan.outputs.externalIds, ["[secret]"]);
            assert.equal(JSON.parse(plan.outputs.trustPolicy).Statement[0].Condition.StringEquals["sts:ExternalId"], "[secret]");
            assert.equal(result.stdout.includes("SECRET_PLACEHOLDER"), false);
        });

        it("prints help", () => {
            const result = runPlan(["--help"]);
            assert.equal(result.status, 0);
            assert.equal(result.stdout.split("\n")[0], "Usage: cloudbreak-role plan (--stack NAME | --config-file PATH | --all) [options]");
        });
    });
});
