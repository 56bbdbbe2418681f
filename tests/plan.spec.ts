/**
 * The offline `plan` command: its stack file loader in-process, and the command itself as a
 * child process (`node bin/cloudbreak-role.js plan ...`), as a user runs it.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

import { allStackRequests, isPlanError, planStacks, summarizePlan } from "../cli/plan";
import { StackConfigError, loadStackConfig } from "../cli/stackFile";
import { buildCloudbreakCredential } from "../components/handoff";
import { Partition } from "../components/policies";
import { REPOSITORY_ROOT, loadShippedStacks } from "./helpers/shippedStacks";

const BIN = path.join(REPOSITORY_ROOT, "bin", "cloudbreak-role.js");

/** The partitions of the planned stacks, as variables: ARNs are built from a partition, never written out. */
const COMMERCIAL: Partition = "aws";
const CHINA: Partition = "aws-cn";
const GOVCLOUD: Partition = "aws-us-gov";

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
const REGION_HEAD = [...STACK_HEAD, "  aws:region: eu-west-1"];

const NO_REGION_WARNING =
    "aws:region is not set, so plan assumes partition aws (region us-east-1). pulumi up uses the AWS provider's region instead, e.g. from AWS_REGION, " +
    "and builds the role's ARNs in that region's partition. Set aws:region in Pulumi.a.yaml to plan that partition.";

/**
 * Writes a project directory whose Pulumi.yaml runs `main` (default: this repository's program),
 * or sets no main: when `main` is null.
 */
function writeProject(dir: string, stacks: Record<string, string[]>, main: string | null = path.join(REPOSITORY_ROOT, "index.ts")): void {
    const project = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*\n/m, main === null ? "" : `main: ${main}\n`);
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
                "cloudbreak-role:exclusivePolicyManagement": "true",
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
                "Stack secretname: cloudbreak-role:roleName is a secret (secure: in Pulumi.secretname.yaml), which plan cannot decrypt; plan checks only externalIds as secrets. Run pulumi preview for this stack, or store cloudbreak-role:roleName in plain text.",
            );
        });

        it("rejects a file name without stack", () => {
            const file = path.join(tempDir, "stack.yaml");
            fs.writeFileSync(file, "config: {}\n");
            assert.equal(
                loadError(file),
                `Cannot determine the stack name of ${file}: a stack file is named Pulumi.<stack>.yaml. Rename the file or pass --stack NAME.`,
            );
        });

        it("rejects a key set twice", () => {
            const file = writeStack("twice", [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", '  deployerAccountId: "999999999999"']);
            assert.equal(
                loadError(file),
                `Stack twice: ${file} sets cloudbreak-role:deployerAccountId twice, as cloudbreak-role:deployerAccountId and as deployerAccountId, and only one value can reach the program. Keep one of them.`,
            );
        });

        it("replaces a secret description by a placeholder", () => {
            const file = writeStack("secretdescription", [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:description:", "    secure: AAABAQ=="]);
            const loaded = loadStackConfig({ configFile: file, projectDir: REPOSITORY_ROOT });
            assert.equal(loaded.config["cloudbreak-role:description"], "SECRET_PLACEHOLDER_1");
            assert.deepEqual(loaded.secretKeys, ["cloudbreak-role:description"]);
        });

        it("replaces a secret whole list by a placeholder list", () => {
            const file = writeStack("secretlist", [...STACK_HEAD, "  cloudbreak-role:externalIds:", "    secure: AAABAQ=="]);
            const loaded = loadStackConfig({ configFile: file, projectDir: REPOSITORY_ROOT });
            assert.equal(loaded.config["cloudbreak-role:externalIds"], '["SECRET_PLACEHOLDER_1"]');
            assert.deepEqual(loaded.placeholders, { SECRET_PLACEHOLDER_1: "cloudbreak-role:externalIds" });
        });

        it("rejects an unquoted account ID with a leading zero", () => {
            const file = writeStack("octal", ["config:", "  cloudbreak-role:accountId: 012345678901", '  cloudbreak-role:deployerAccountId: "444455556666"', "  cloudbreak-role:externalIds: [abcdef]"]);
            assert.equal(
                loadError(file),
                'Stack octal: Invalid cloudbreak-role:accountId 012345678901: YAML reads the unquoted value as the number 12345678901, so the program would not receive the text as written. Quote it: cloudbreak-role:accountId: "012345678901".',
            );
        });

        it("rejects an account ID with an exponent", () => {
            const file = writeStack("exponent", ["config:", '  cloudbreak-role:accountId: "111122223333"', "  cloudbreak-role:externalIds: [abcdef]", "  deployerAccountId: 2.10000000001e11"]);
            assert.equal(
                loadError(file),
                'Stack exponent: Invalid cloudbreak-role:deployerAccountId 2.10000000001e11: YAML reads the unquoted value as the number 210000000001, so the program would not receive the text as written. Quote it: deployerAccountId: "2.10000000001e11".',
            );
        });

        it("accepts an unquoted account ID without leading zero", () => {
            const file = writeStack("plainnumber", ["config:", "  cloudbreak-role:accountId: 111122223333", '  cloudbreak-role:deployerAccountId: "444455556666"', "  cloudbreak-role:externalIds: [abcdef]"]);
            const loaded = loadStackConfig({ configFile: file, projectDir: REPOSITORY_ROOT });
            assert.equal(loaded.config["cloudbreak-role:accountId"], "111122223333");
        });

        it("rejects a main that does not exist", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "nomain-"));
            writeProject(dir, { a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] }, "nothere.ts");
            assert.throws(() => loadStackConfig({ stack: "a", projectDir: dir }), {
                name: "StackConfigError",
                message: `Stack a: the program ${path.join(dir, "nothere.ts")} does not exist (main: nothere.ts in ${path.join(dir, "Pulumi.yaml")}). Correct main: in Pulumi.yaml, or pass --cwd with the directory that contains the program.`,
            });
        });

        it("rejects a project without program", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "noprogram-"));
            writeProject(dir, { a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] }, null);
            assert.throws(() => loadStackConfig({ stack: "a", projectDir: dir }), {
                name: "StackConfigError",
                message: `Stack a: ${dir} contains no program: ${path.join(dir, "Pulumi.yaml")} sets no main:, so pulumi up runs index.ts, index.js or the main of package.json in the project directory, and none exists. Add main: with the program file to Pulumi.yaml.`,
            });
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
            const foreignPolicy = [`  cloudbreak-role:managedPolicyArns: ["arn:${CHINA}:iam::aws:policy/ReadOnlyAccess"]`];
            writeProject(dir, {
                a: stackLines("100000000001", foreignPolicy),
                b: stackLines("100000000002", []),
                c: stackLines("100000000003", foreignPolicy),
                d: stackLines("100000000004", ["  cloudbreak-role:roleName: other"]),
            });
            const results = await planStacks(allStackRequests(dir));
            const invalid = (stack: string) =>
                `Stack ${stack}: Invalid cloudbreak-role:managedPolicyArns[0] "arn:${CHINA}:iam::aws:policy/ReadOnlyAccess": it is in partition aws-cn, but the role is in aws. Use the ARN from partition aws.`;
            assert.deepEqual(
                results.map((result) => (isPlanError(result) ? [result.stack, result.error] : [result.stack, result.outputs.roleArn, result.outputs.externalIds, result.resources.length])),
                [
                    ["a", invalid("a")],
                    ["b", `arn:${COMMERCIAL}:iam::100000000002:role/cbreak-deployer`, ["tenant-100000000002"], 5],
                    ["c", invalid("c")],
                    ["d", `arn:${COMMERCIAL}:iam::100000000004:role/other`, ["tenant-100000000004"], 5],
                ],
            );
        });

        it("plans whole-value secrets", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "secrets-"));
            writeProject(dir, {
                description: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:description:", "    secure: AAABAQ=="],
                list: [...REGION_HEAD, "  cloudbreak-role:externalIds:", "    secure: AAABAQ=="],
            });
            const results = await planStacks(allStackRequests(dir));
            const [description, list] = results;
            assert.ok(isPlanError(description));
            assert.equal(
                description.error,
                "Stack description: Invalid cloudbreak-role:description [secret]: a role description is readable by anyone who may call iam:GetRole, so it cannot be kept secret. Store it in plain text (pulumi config set without --secret).",
            );
            assert.ok(!isPlanError(list));
            assert.deepEqual(list.outputs.externalIds, ["[secret]"]);
            assert.equal(JSON.parse(list.outputs.trustPolicy as string).Statement[0].Condition.StringEquals["sts:ExternalId"], "[secret]");
        });

        it("reports a program that fails to load per stack", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "broken-"));
            writeProject(dir, { a: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]"], b: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] }, "program.js");
            fs.writeFileSync(path.join(dir, "program.js"), 'require("./missing-module");\n');
            const results = await planStacks(allStackRequests(dir));
            const error = (stack: string) => `Stack ${stack}: Cannot load the program ${path.join(dir, "program.js")}: Cannot find module './missing-module'`;
            assert.deepEqual(results, [
                { stack: "a", error: error("a") },
                { stack: "b", error: error("b") },
            ]);
        });

        it("reports an unsupported aws:region per stack", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "region-"));
            writeProject(dir, {
                a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  aws:region: us-iso-east-1"],
                b: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]"],
            });
            const results = await planStacks(allStackRequests(dir));
            assert.deepEqual(
                results.map((result) => [result.stack, isPlanError(result) ? result.error : result.outputs.roleArn]),
                [
                    [
                        "a",
                        'Stack a: Invalid aws:region "us-iso-east-1": regions of the isolated partitions are not supported; the partitions are aws, aws-cn and aws-us-gov. Use a region code such as eu-west-1, cn-north-1 or us-gov-west-1',
                    ],
                    ["b", `arn:${COMMERCIAL}:iam::111122223333:role/cbreak-deployer`],
                ],
            );
        });

        it("warns when aws:region is not set", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "noregion-"));
            writeProject(dir, { a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] });
            const [result] = await planStacks(allStackRequests(dir));
            assert.ok(!isPlanError(result));
            assert.deepEqual(result.warnings, [NO_REGION_WARNING]);
            assert.equal(result.outputs.roleArn, `arn:${COMMERCIAL}:iam::111122223333:role/cbreak-deployer`);
        });

        it("marks adopted resources as imports", async () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "adopt-"));
            writeProject(dir, { a: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]", `  cloudbreak-role:managedPolicyArns: [arn:${COMMERCIAL}:iam::aws:policy/ReadOnlyAccess]`, "  cloudbreak-role:adoptExisting: true"] });
            const [result] = await planStacks(allStackRequests(dir));
            assert.ok(!isPlanError(result));
            assert.deepEqual(
                result.resources.map((resource) => `${resource.type} ${resource.importId ?? "(created)"}`).sort(),
                [
                    "aws:iam/role:Role cbreak-deployer",
                    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive (created)",
                    "aws:iam/rolePolicy:RolePolicy cbreak-deployer:cb-policy",
                    "aws:iam/rolePolicyAttachment:RolePolicyAttachment (created)",
                    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive (created)",
                    "cloudbreak:aws:CredentialRole (created)",
                ],
            );
            assert.equal(summarizePlan(result.resources), "pulumi up would import 2 and create 4 resources");
        });

        it("counts one resource in the singular", () => {
            assert.equal(summarizePlan([{ type: "t", name: "n", inputs: {} }]), "pulumi up would create 1 resource");
            assert.equal(summarizePlan([{ type: "t", name: "n", importId: "i", inputs: {} }]), "pulumi up would import 1 resource");
        });
    });

    describe("command", () => {
        it("prints the example plan as text", () => {
            const example = shipped.get("example");
            assert.ok(example);
            const result = runPlan(["--stack", "example"]);
            assert.equal(result.status, 0);
            // The program's warnings (such as one on the shared external ID) go to stderr, each naming the stack.
            const stderrLines = result.stderr.split("\n").filter((line) => line !== "");
            assert.deepEqual(stderrLines.filter((line) => !line.startsWith("warning: Stack example: ")), []);

            const { partition } = example;
            const roleArn = `arn:${partition}:iam::111122223333:role/cbreak-deployer`;
            const trustPolicy = JSON.parse(example.documents.trustPolicy);
            const permissionsPolicy = JSON.parse(example.documents.permissionsPolicy);
            const block = (key: string, value: unknown, spaces: number) => `${" ".repeat(spaces)}${key}:\n${indent(JSON.stringify(value, null, 2), spaces + 2)}`;
            const expected = [
                "Stack example: pulumi up would create 5 resources",
                "",
                "+ cloudbreak:aws:CredentialRole cloudbreak",
                "",
                "+ aws:iam/role:Role cloudbreak-role",
                block("assumeRolePolicy", trustPolicy, 4),
                "    forceDetachPolicies: true",
                "    maxSessionDuration: 3600",
                '    name: "cbreak-deployer"',
                '    path: "/"',
                block("tags", { "managed-by": "pulumi", team: "data-platform" }, 4),
                "",
                "+ aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive cloudbreak-policy-attachments",
                "    policyArns: []",
                '    roleName: "cbreak-deployer"',
                "",
                "+ aws:iam/rolePolicy:RolePolicy cloudbreak-policy",
                '    name: "cb-policy"',
                block("policy", permissionsPolicy, 4),
                '    role: "cbreak-deployer"',
                "",
                "+ aws:iam/rolePoliciesExclusive:RolePoliciesExclusive cloudbreak-inline-policies",
                block("policyNames", ["cb-policy"], 4),
                '    roleName: "cbreak-deployer"',
                "",
                "Outputs:",
                '  accountId: "111122223333"',
                `  roleArn: "${roleArn}"`,
                '  roleName: "cbreak-deployer"',
                block("externalIds", ["provision-ambari"], 2),
                block("trustPolicy", trustPolicy, 2),
                block("permissionsPolicy", permissionsPolicy, 2),
                block("cloudbreakCredential", buildCloudbreakCredential({ name: "analytics-eu", roleArn, partition }), 2),
                "",
            ].join("\n");
            assert.equal(result.stdout, expected);
        });

        it("prints the govcloud-cdp plan as JSON", () => {
            const govcloud = shipped.get("govcloud-cdp");
            const result = runPlan(["--stack", "govcloud-cdp", "--json"]);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, "");
            const plan = JSON.parse(result.stdout);
            const roleArn = `arn:${GOVCLOUD}:iam::210987654321:role/cloudera/cdp-cross-account`;
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
                cloudbreakCredential: buildCloudbreakCredential({ name: "govcloud-cdp", roleArn, partition: GOVCLOUD }),
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
                    ["example", `arn:${COMMERCIAL}:iam::111122223333:role/cbreak-deployer`],
                    ["govcloud-cdp", `arn:${GOVCLOUD}:iam::210987654321:role/cloudera/cdp-cross-account`],
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
                    ["good", `arn:${COMMERCIAL}:iam::111122223333:role/cbreak-deployer`],
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

        it("prints adopted resources as imports", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "adopt-command-"));
            writeProject(dir, { a: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:adoptExisting: true"] });
            const result = runPlan(["--stack", "a"], dir);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, "");
            const lines = result.stdout.split("\n");
            assert.equal(lines[0], "Stack a: pulumi up would import 2 and create 3 resources");
            assert.deepEqual(
                lines.filter((line) => /^[+=] /.test(line)).sort(),
                [
                    "+ aws:iam/rolePoliciesExclusive:RolePoliciesExclusive cloudbreak-inline-policies",
                    "+ aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive cloudbreak-policy-attachments",
                    "+ cloudbreak:aws:CredentialRole cloudbreak",
                    "= aws:iam/role:Role cloudbreak-role (import cbreak-deployer)",
                    "= aws:iam/rolePolicy:RolePolicy cloudbreak-policy (import cbreak-deployer:cb-policy)",
                ],
            );
            const plan = JSON.parse(runPlan(["--stack", "a", "--json"], dir).stdout) as { resources: { type: string; importId?: string }[] };
            assert.equal(plan.resources.find((resource) => resource.type === "aws:iam/role:Role")?.importId, "cbreak-deployer");
        });

        it("plans a secret whole list with --all", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "all-secret-"));
            writeProject(dir, {
                a: [...REGION_HEAD, "  cloudbreak-role:externalIds:", "    secure: AAABAQ=="],
                b: [...REGION_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:description:", "    secure: AAABAQ=="],
                c: ["config:", "  cloudbreak-role:accountId: 012345678901", '  cloudbreak-role:deployerAccountId: "444455556666"', "  cloudbreak-role:externalIds: [abcdef]"],
            });
            const result = runPlan(["--all", "--json"], dir);
            assert.equal(result.status, 1);
            const invalid =
                'Stack c: Invalid cloudbreak-role:accountId 012345678901: YAML reads the unquoted value as the number 12345678901, so the program would not receive the text as written. Quote it: cloudbreak-role:accountId: "012345678901".';
            const secretDescription =
                "Stack b: Invalid cloudbreak-role:description [secret]: a role description is readable by anyone who may call iam:GetRole, so it cannot be kept secret. Store it in plain text (pulumi config set without --secret).";
            assert.equal(result.stderr, `${secretDescription}\n${invalid}\n`);
            const results = JSON.parse(result.stdout) as { stack: string; error?: string; outputs?: { externalIds: string[] } }[];
            assert.deepEqual(
                results.map((entry) => [entry.stack, entry.outputs?.externalIds ?? entry.error]),
                [
                    ["a", ["[secret]"]],
                    ["b", secretDescription],
                    ["c", invalid],
                ],
            );
        });

        it("prints warnings on stderr in text mode", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "warn-text-"));
            writeProject(dir, { a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] });
            const result = runPlan(["--stack", "a"], dir);
            assert.equal(result.status, 0);
            assert.equal(result.stderr, `warning: Stack a: ${NO_REGION_WARNING}\n`);
            assert.equal(result.stdout.includes("aws:region is not set"), false);
        });

        it("prints warnings only in JSON with --json", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "warn-json-"));
            writeProject(dir, { a: [...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"] });
            for (const selection of [["--stack", "a"], ["--all"]]) {
                const result = runPlan([...selection, "--json"], dir);
                assert.equal(result.status, 0);
                assert.equal(result.stderr, "");
                const parsed = JSON.parse(result.stdout);
                const plan = Array.isArray(parsed) ? parsed[0] : parsed;
                assert.deepEqual(plan.warnings, [NO_REGION_WARNING]);
            }
        });

        it("prints a stack error as JSON", () => {
            const file = path.join(tempDir, "Pulumi.jsonerror.yaml");
            fs.writeFileSync(file, `${[...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]", "  cloudbreak-role:roleName: bad name!"].join("\n")}\n`);
            const result = runPlan(["--config-file", file, "--json"]);
            assert.equal(result.status, 1);
            const error = JSON.parse(result.stdout) as { stack: string; error: string };
            assert.equal(error.stack, "jsonerror");
            assert.equal(`${error.error}\n`, result.stderr);
        });

        it("rejects a repeated --stack", () => {
            const result = runPlan(["--stack", "example", "-s", "govcloud-cdp"]);
            assert.equal(result.status, 1);
            assert.equal(result.stderr.split("\n")[0], "--stack is given twice. Give each option once.");
            assert.equal(result.stdout, "");
        });

        it("exits 1 on an unknown option", () => {
            const result = runPlan(["--stack", "example", "--verbose"]);
            assert.equal(result.status, 1);
            assert.equal(result.stderr.split("\n")[0], 'Unknown option "--verbose".');
        });

        it("rejects a missing index.ts", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "noindex-"));
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml")));
            fs.writeFileSync(path.join(dir, "Pulumi.a.yaml"), `${[...STACK_HEAD, "  cloudbreak-role:externalIds: [abcdef]"].join("\n")}\n`);
            const result = runPlan(["--stack", "a", "--cwd", dir]);
            assert.equal(result.status, 1);
            assert.equal(
                result.stderr,
                `Stack a: the program ${path.join(dir, "index.ts")} does not exist (main: index.ts in ${path.join(dir, "Pulumi.yaml")}). Correct main: in Pulumi.yaml, or pass --cwd with the directory that contains the program.\n`,
            );
        });

        it("rejects a missing stackConfigDir with --all", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "nostackdir-"));
            writeProject(dir, {});
            fs.appendFileSync(path.join(dir, "Pulumi.yaml"), "stackConfigDir: stacks\n");
            const result = runPlan(["--all"], dir);
            assert.equal(result.status, 1);
            assert.equal(
                result.stderr,
                `Cannot list the stack files in ${path.join(dir, "stacks")}: the directory does not exist. Create the directory, or correct stackConfigDir: stacks in ${path.join(dir, "Pulumi.yaml")}.\n`,
            );
        });

        it("rejects a directory without Pulumi.yaml", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "noproject-"));
            const result = runPlan(["--all", "--cwd", dir]);
            assert.equal(result.status, 1);
            assert.equal(result.stderr, `No Pulumi.yaml in ${dir}: plan reads the project file there. Run plan in the project directory or pass --cwd DIR.\n`);
        });

        it("falls back to the package's project", () => {
            const dir = fs.mkdtempSync(path.join(tempDir, "consumer-"));
            fs.copyFileSync(path.join(REPOSITORY_ROOT, "Pulumi.example.yaml"), path.join(dir, "Pulumi.acct.yaml"));
            const result = runPlan(["--config-file", "Pulumi.acct.yaml", "--json"], dir);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(JSON.parse(result.stdout).outputs.roleArn, `arn:${COMMERCIAL}:iam::111122223333:role/cbreak-deployer`);
        });

        it("exits 1 without command", () => {
            const child = spawnSync(process.execPath, [BIN], { cwd: REPOSITORY_ROOT, encoding: "utf8" });
            assert.equal(child.status, 1);
            assert.equal(child.stdout, "");
            assert.equal(child.stderr.split("\n")[0], "Missing command.");
        });
    });
});
