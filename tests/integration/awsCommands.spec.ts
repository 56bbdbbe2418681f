/**
 * `show` and `verify` against moto_server on 127.0.0.1: a role made the way `cbd aws
 * generate-role` made it, and roles made from the plan's documents for every preset.
 */
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";

import { loadStackPlan } from "../../cli/awsClients";
import { POLICY_PRESETS } from "../../components/policies";
import { CBD_CB_POLICY } from "../fixtures/cbdRole";
import {
    FAKE_CREDENTIALS,
    MOTO_ACCOUNT_ID,
    MotoServer,
    REGION,
    findOnPath,
    freePort,
    makeScratchDir,
    removeScratchDir,
    run,
    runCli,
    startMotoServer,
} from "./motoServer";

const partition = "aws";
const roleArn = `arn:${partition}:iam::${MOTO_ACCOUNT_ID}:role/cbreak-deployer`;

/** The trust policy of `cbd aws generate-role` (cbd 1.14 to 2.9): a bare account ID principal. */
const CBD_TRUST_POLICY = {
    Version: "2012-10-17",
    Statement: [
        {
            Action: "sts:AssumeRole",
            Effect: "Allow",
            Principal: { AWS: MOTO_ACCOUNT_ID },
            Condition: { StringEquals: { "sts:ExternalId": "provision-ambari" } },
        },
    ],
};


function indented(document: unknown, indent: string): string[] {
    return JSON.stringify(document, null, 2)
        .split("\n")
        .map((line) => `${indent}${line}`);
}

describe("show and verify on moto_server", function () {
    let moto: MotoServer;
    let scratchDir: string;
    let iam: IAMClient;

    const savedWarningSetting = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

    before(async function () {
        // The SDK warns that its 2027 releases need Node 22; the package supports Node 20.
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
        if (findOnPath("moto_server") === undefined) {
            process.stderr.write("SKIPPED: moto_server is not on PATH (pip install 'moto[server]').\n");
            this.skip();
        }
        scratchDir = makeScratchDir();
        moto = await startMotoServer(scratchDir);
        iam = new IAMClient({ endpoint: moto.endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
    });

    after(async function () {
        if (savedWarningSetting === undefined) {
            delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
        } else {
            process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = savedWarningSetting;
        }
        iam?.destroy();
        await moto?.stop();
        if (scratchDir) {
            removeScratchDir(scratchDir);
        }
    });

    beforeEach(async function () {
        await moto.reset();
    });

    /** Writes a stack file for moto's account (or `accountId`) and returns its path. */
    function writeStack(name: string, policy: string, accountId = MOTO_ACCOUNT_ID): string {
        const file = path.join(scratchDir, `Pulumi.${name}.yaml`);
        fs.writeFileSync(
            file,
            [
                "config:",
                `  aws:region: ${REGION}`,
                `  cloudbreak-role:accountId: "${accountId}"`,
                `  cloudbreak-role:deployerAccountId: "${MOTO_ACCOUNT_ID}"`,
                "  cloudbreak-role:externalIds:",
                "    - provision-ambari",
                `  cloudbreak-role:policy: ${policy}`,
                "",
            ].join("\n"),
        );
        return file;
    }

    /** Creates cbd's role with the aws CLI, as `cbd aws generate-role` ran it. */
    async function createCbdRole(context: Mocha.Context, trustPolicy: unknown = CBD_TRUST_POLICY): Promise<void> {
        if (findOnPath("aws") === undefined) {
            process.stderr.write("SKIPPED: the aws CLI is not on PATH (pip install awscli).\n");
            context.skip();
        }
        const created = await run("aws", ["iam", "create-role", "--role-name", "cbreak-deployer", "--assume-role-policy-document", JSON.stringify(trustPolicy)], moto.env);
        assert.equal(created.status, 0, created.stderr);
        const put = await run(
            "aws",
            ["iam", "put-role-policy", "--role-name", "cbreak-deployer", "--policy-name", "cb-policy", "--policy-document", JSON.stringify(CBD_CB_POLICY)],
            moto.env,
        );
        assert.equal(put.status, 0, put.stderr);
    }

    it("show prints a cbd-made role", async function () {
        await createCbdRole(this);

        const result = await runCli(["show"], moto.env);

        assert.equal(result.stderr, "");
        assert.equal(result.status, 0);
        const expected = [
            "Role cbreak-deployer",
            `  ARN: ${roleArn}`,
            "  Path: /",
            "  Max session duration: 3600 s",
            "  Permissions boundary: none",
            "  Tags: none",
            "Trust policy (1 statement):",
            "  Statement 0: Allow sts:AssumeRole",
            `    Principal AWS: ${MOTO_ACCOUNT_ID}`,
            "    Condition StringEquals sts:ExternalId: provision-ambari",
            "Inline policies (1):",
            "  cb-policy:",
            ...indented(CBD_CB_POLICY, "    "),
            "Attached managed policies (0): none",
            "",
        ].join("\n");
        assert.equal(result.stdout, expected);
    });

    it("show --json returns the decoded documents", async function () {
        await createCbdRole(this);

        const result = await runCli(["show", "--role-name", "cbreak-deployer", "--json"], moto.env);

        assert.equal(result.status, 0, result.stderr);
        const report = JSON.parse(result.stdout) as { role: Record<string, unknown> };
        assert.match(String(report.role.roleId), /^AROA[A-Z0-9]+$/);
        delete report.role.roleId;
        assert.deepEqual(report, {
            role: {
                name: "cbreak-deployer",
                arn: roleArn,
                path: "/",
                maxSessionDuration: 3600,
                tags: {},
                trustPolicy: CBD_TRUST_POLICY,
                inlinePolicies: [{ name: "cb-policy", document: CBD_CB_POLICY }],
                attachedPolicies: [],
            },
        });
    });

    it("show --stack reports cbd's duplicated action", async function () {
        await createCbdRole(this);
        const stackFile = writeStack("cbd", "cloudbreak-2");

        const text = await runCli(["show", "--config-file", stackFile], moto.env);
        const json = await runCli(["show", "--config-file", stackFile, "--json"], moto.env);

        assert.equal(text.status, 2, text.stderr);
        assert.equal(
            text.stdout.slice(text.stdout.indexOf("Drift from")),
            [
                "Drift from the plan of stack cbd (1):",
                "  inline-policy-duplicate-actions: cb-policy lists ec2:DeleteRouteTable (2 times); the plan lists each action once",
                "",
            ].join("\n"),
        );
        assert.equal(json.status, 2, json.stderr);
        assert.deepEqual((JSON.parse(json.stdout) as { drift: unknown }).drift, [
            {
                kind: "inline-policy-duplicate-actions",
                message: "cb-policy lists ec2:DeleteRouteTable (2 times); the plan lists each action once",
                extra: ["ec2:DeleteRouteTable"],
            },
        ]);
    });

    it("show --stack is clean after cb-policy is rewritten", async function () {
        await createCbdRole(this);
        const stackFile = writeStack("adopt", "cloudbreak-2");
        const plan = await loadStackPlan({ configFile: stackFile });
        const rewritten = await run(
            "aws",
            ["iam", "put-role-policy", "--role-name", "cbreak-deployer", "--policy-name", "cb-policy", "--policy-document", plan.outputs.permissionsPolicy],
            moto.env,
        );

        const result = await runCli(["show", "--config-file", stackFile], moto.env);

        assert.equal(rewritten.status, 0, rewritten.stderr);
        assert.equal(result.status, 0, result.stdout + result.stderr);
        assert.equal(result.stdout.slice(result.stdout.indexOf("Drift from")), "Drift from the plan of stack adopt: none\n");
    });

    it("show --stack reports trust and policy changes", async function () {
        await createCbdRole(this, {
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { AWS: `arn:${partition}:iam::210987654321:root` },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": "other-id" } },
                },
            ],
        });
        await run("aws", ["iam", "put-role-policy", "--role-name", "cbreak-deployer", "--policy-name", "extra", "--policy-document", JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }],
        })], moto.env);
        const stackFile = writeStack("changed", "cloudbreak-1");
        // Every cbd 2.x action but iam:PassRole, which cloudbreak-1 also grants, once each, in the order of their lower-case names.
        const cbdActionsBeyondCloudbreak1 = [...new Set(CBD_CB_POLICY.Statement.flatMap((statement) => statement.Action))]
            .filter((action) => action !== "iam:PassRole")
            .sort((left, right) => (left.toLowerCase() < right.toLowerCase() ? -1 : 1));

        const result = await runCli(["show", "--config-file", stackFile, "--json"], moto.env);

        assert.equal(result.status, 2, result.stderr);
        const drift = (JSON.parse(result.stdout) as { drift: Array<{ kind: string; message: string }> }).drift;
        assert.deepEqual(
            drift.map((item) => `${item.kind}: ${item.message}`),
            [
                `trust-principals: trusted principals: missing arn:${partition}:iam::${MOTO_ACCOUNT_ID}:root; extra arn:${partition}:iam::210987654321:root`,
                "trust-external-ids: required external IDs: missing provision-ambari; extra other-id",
                "trust-statements: trust policy statements differ (live 1, plan 1): 1 live statement is not in the plan, 1 planned statement is not live",
                `inline-policy-actions: cb-policy actions: missing autoscaling:*, cloudformation:*, ec2:*; extra ${cbdActionsBeyondCloudbreak1.join(", ")}`,
                "inline-policy-duplicate-actions: cb-policy lists ec2:DeleteRouteTable (2 times); the plan lists each action once",
                "inline-policy-extra: inline policies that the plan does not have: extra",
            ],
        );
    });

    it("show names role and endpoint when missing", async function () {
        const result = await runCli(["show", "--role-name", "absent-role"], moto.env);

        assert.equal(result.status, 1);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            `Role absent-role not found in account ${MOTO_ACCOUNT_ID} at IAM endpoint ${moto.endpoint}. ` +
                "Check the role name and that the credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) belong to the end-user account.\n",
        );
    });

    for (const preset of POLICY_PRESETS) {
        it(`accepts the plan's documents for ${preset}`, async function () {
            const stackFile = writeStack(`apply-${preset}`, preset);
            const plan = await loadStackPlan({ configFile: stackFile });

            const created = await iam.send(
                new CreateRoleCommand({ RoleName: plan.outputs.roleName, Path: "/", AssumeRolePolicyDocument: plan.outputs.trustPolicy }),
            );
            await iam.send(new PutRolePolicyCommand({ RoleName: plan.outputs.roleName, PolicyName: "cb-policy", PolicyDocument: plan.outputs.permissionsPolicy }));
            const shown = await runCli(["show", "--config-file", stackFile], moto.env);

            assert.equal(created.Role?.Arn, plan.outputs.roleArn);
            assert.equal(shown.status, 0, shown.stdout + shown.stderr);
            assert.equal(shown.stdout.slice(shown.stdout.indexOf("Drift from")), `Drift from the plan of stack apply-${preset}: none\n`);
        });
    }

    /** Creates the role from a plan's documents, or with `trustPolicy` in place of the plan's. */
    async function createPlannedRole(stackFile: string, trustPolicy?: unknown): Promise<void> {
        const plan = await loadStackPlan({ configFile: stackFile });
        await iam.send(
            new CreateRoleCommand({
                RoleName: plan.outputs.roleName,
                AssumeRolePolicyDocument: trustPolicy === undefined ? plan.outputs.trustPolicy : JSON.stringify(trustPolicy),
            }),
        );
        await iam.send(new PutRolePolicyCommand({ RoleName: plan.outputs.roleName, PolicyName: "cb-policy", PolicyDocument: plan.outputs.permissionsPolicy }));
    }

    const notEnforced = () =>
        `STS endpoint ${moto.endpoint} does not enforce trust policies (it allowed AssumeRole on a role that does not exist)`;
    const skippedAssumeLines = () => [
        `SKIP assume role with external ID: ${notEnforced()}, so its success proves only that the deployer credentials can call sts:AssumeRole, ` +
            "not that the role accepts the external ID; the trust policy checks decide instead",
        `SKIP assumed session identity: ${notEnforced()}, so the session's identity says nothing about the role`,
        `SKIP assume role without external ID: ${notEnforced()}, so this check cannot be proven here; the trust policy lint decides instead`,
    ];
    const deployerLine = `PASS deployer credentials: caller arn:${partition}:sts::${MOTO_ACCOUNT_ID}:user/moto is in deployer account ${MOTO_ACCOUNT_ID}`;
    const simulationLine = () => `SKIP permissions simulation: IAM endpoint ${moto.endpoint} did not run iam:SimulatePrincipalPolicy (HTTP 500)`;

    it("verify passes on a correct role", async function () {
        const stackFile = writeStack("verified", "cloudbreak-2");
        await createPlannedRole(stackFile);

        const result = await runCli(["verify", "--config-file", stackFile, "--initial-delay-ms", "10"], moto.env);

        assert.equal(result.stderr, "");
        assert.deepEqual(result.stdout.split("\n"), [
            deployerLine,
            ...skippedAssumeLines(),
            `PASS live role: read cbreak-deployer in account ${MOTO_ACCOUNT_ID}`,
            "PASS trust policy lint: every Allow statement requires an external ID and trusts only the deployer account",
            "PASS trust policy external ID: the live trust policy requires the external ID that verify sent",
            simulationLine(),
            "verify: 4 passed, 0 failed, 4 skipped",
            "",
        ]);
        assert.equal(result.status, 0);
    });

    it("verify fails with a wrong external ID", async function () {
        const stackFile = writeStack("wrong-id", "cloudbreak-2");
        await createPlannedRole(stackFile);

        const result = await runCli(["verify", "--config-file", stackFile, "--external-id", "wrong-id", "--initial-delay-ms", "10"], moto.env);

        assert.equal(result.stderr, "");
        assert.deepEqual(result.stdout.split("\n"), [
            deployerLine,
            ...skippedAssumeLines(),
            `PASS live role: read cbreak-deployer in account ${MOTO_ACCOUNT_ID}`,
            "PASS trust policy lint: every Allow statement requires an external ID and trusts only the deployer account",
            "FAIL trust policy external ID: the live trust policy does not require the external ID that verify sent",
            simulationLine(),
            "verify: 3 passed, 1 failed, 4 skipped",
            "",
        ]);
        assert.equal(result.status, 1);
    });

    it("verify fails when the role is missing", async function () {
        const stackFile = writeStack("missing", "cloudbreak-2");

        const result = await runCli(["verify", "--config-file", stackFile, "--initial-delay-ms", "10"], moto.env);

        assert.equal(result.stderr, "");
        assert.deepEqual(result.stdout.split("\n"), [
            deployerLine,
            ...skippedAssumeLines(),
            `FAIL live role: role cbreak-deployer does not exist in account ${MOTO_ACCOUNT_ID} at IAM endpoint ${moto.endpoint}; ` +
                "create it with pulumi up on stack missing, or correct the stack's roleName and accountId",
            "verify: 1 passed, 1 failed, 3 skipped",
            "",
        ]);
        assert.equal(result.status, 1);
    });

    it("verify fails when trust lacks the external ID", async function () {
        const stackFile = writeStack("open", "cloudbreak-2");
        await createPlannedRole(stackFile, {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${MOTO_ACCOUNT_ID}:root` }, Action: "sts:AssumeRole" }],
        });

        const result = await runCli(["verify", "--config-file", stackFile, "--initial-delay-ms", "10"], moto.env);

        assert.equal(result.stderr, "");
        const lines = result.stdout.split("\n");
        assert.deepEqual(lines.filter((line) => line.startsWith("FAIL") || line.startsWith("verify:")), [
            "FAIL trust policy lint: Trust policy statement 0 is rejected: it allows sts:AssumeRole without a StringEquals sts:ExternalId condition, " +
                "so anyone in the trusted account could use the role through Cloudbreak's confused deputy. " +
                'Add "Condition": {"StringEquals": {"sts:ExternalId": "<external ID>"}}',
            "FAIL trust policy external ID: the live trust policy does not require the external ID that verify sent",
            "verify: 2 passed, 2 failed, 4 skipped",
        ]);
        assert.ok(lines.includes(skippedAssumeLines()[2]));
        assert.equal(result.status, 1);
    });

    it("verify shows a non-secret invalid external ID", async function () {
        const stackFile = writeStack("invalid-id", "cloudbreak-2");
        await createPlannedRole(stackFile, {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Cloudbreak",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${partition}:iam::${MOTO_ACCOUNT_ID}:root` },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "sts:ExternalId": ["provision-ambari", "bad id!"] } },
                },
            ],
        });

        const result = await runCli(["verify", "--config-file", stackFile, "--initial-delay-ms", "10"], moto.env);

        assert.equal(result.stderr, "");
        assert.deepEqual(result.stdout.split("\n").filter((line) => line.startsWith("FAIL")), [
            'FAIL trust policy lint: Invalid trustPolicy statement 0 (Sid "Cloudbreak") sts:ExternalId[1] "bad id!": ' +
                "an external ID may contain only letters, digits and + = , . @ : / _ -. " +
                "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
                "the value from `cdp environments get-credential-prerequisites` for CDP",
        ]);
        assert.equal(result.status, 1);
    });

    it("show rejects another account's credentials", async function () {
        await createCbdRole(this);
        const stackFile = writeStack("elsewhere", "cloudbreak-2", "111122223333");

        const result = await runCli(["show", "--config-file", stackFile], moto.env);

        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            "Wrong AWS account: stack elsewhere describes end-user account 111122223333 (cloudbreak-role:accountId), " +
                `but the AWS credentials in use (arn:${partition}:sts::${MOTO_ACCOUNT_ID}:user/moto) belong to account ${MOTO_ACCOUNT_ID}. ` +
                "Use credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID) of account 111122223333, or correct cloudbreak-role:accountId.\n",
        );
        assert.equal(result.status, 1);
    });

    it("show rejects an invalid role name", async function () {
        const result = await runCli(["show", "--role-name", "bad name!"], moto.env);

        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            'Invalid --role-name "bad name!": a role name may contain only letters, digits and _ + = , . @ -. Choose a name such as cbreak-deployer\n',
        );
        assert.equal(result.status, 1);
    });

    it("show names a refused endpoint", async function () {
        const closedEndpoint = `http://127.0.0.1:${await freePort()}`;

        const result = await runCli(["show", "--role-name", "cbreak-deployer"], { ...moto.env, AWS_ENDPOINT_URL: closedEndpoint, AWS_MAX_ATTEMPTS: "1" });

        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            `Cannot connect to AWS endpoint ${closedEndpoint}: connect ECONNREFUSED ${closedEndpoint.slice("http://".length)}. ` +
                "Check that the endpoint is running and reachable, and the endpoint settings AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS and AWS_REGION.\n",
        );
        assert.equal(result.status, 1);
    });

    it("verify names the credential settings", async function () {
        const stackFile = writeStack("no-credentials", "cloudbreak-2");
        const env = { ...moto.env };
        delete env.AWS_ACCESS_KEY_ID;
        delete env.AWS_SECRET_ACCESS_KEY;

        const result = await runCli(["verify", "--config-file", stackFile], env);

        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            "No AWS credentials: Could not load credentials from any providers. " +
                "Set AWS_PROFILE to a profile of ~/.aws/config or ~/.aws/credentials, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
                "(with AWS_SESSION_TOKEN for temporary credentials), or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or run where an instance or container role provides them.\n",
        );
        assert.equal(result.status, 1);
    });

    it("show prints no SDK Node version warning", async function () {
        await createCbdRole(this);
        const env = { ...moto.env };
        delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;

        const result = await runCli(["show"], env);

        assert.equal(result.stderr, "");
        assert.equal(result.status, 0);
    });
});
