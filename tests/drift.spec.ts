/**
 * The drift of a live role from a stack's plan, as `show --stack` reports it, without AWS: one
 * live role and plan pair per kind of drift.
 */
import * as assert from "node:assert/strict";

import type { LiveRole, StackPlan } from "../cli/awsClients";
import { Drift, compareRoleToPlan, formatDrift } from "../cli/drift";
import { formatRole } from "../cli/show";
import { Partition, PolicyDocument, TrustPolicyDocument } from "../components/policies";

const partition: Partition = "aws";
const ACCOUNT = "111122223333";
const DEPLOYER = "444455556666";
const ROLE_ARN = `arn:${partition}:iam::${ACCOUNT}:role/cbreak-deployer`;
const DEPLOYER_ROOT = `arn:${partition}:iam::${DEPLOYER}:root`;
const READ_ONLY_ARN = `arn:${partition}:iam::aws:policy/ReadOnlyAccess`;

function trustPolicy(principal: string, externalId: string): TrustPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: principal },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
        ],
    };
}

function permissionsPolicy(...statementActions: string[][]): PolicyDocument<Record<string, unknown>> {
    return { Version: "2012-10-17", Statement: statementActions.map((actions) => ({ Effect: "Allow", Action: actions, Resource: "*" })) };
}

/** Returns the trust statement in the canonical form that trust-statements drift lists. */
function canonicalTrustStatement(principal: string, externalId: string): string {
    return (
        `{"Effect":"Allow","Action":["sts:assumerole"],"NotAction":[],"Resource":[],"NotResource":[],` +
        `"Principal":{"AWS":["${principal}"]},"Condition":{"StringEquals":{"sts:externalid":["${externalId}"]}}}`
    );
}

function basePlan(): StackPlan {
    return {
        stack: "example",
        resources: [
            { type: "aws:iam/role:Role", name: "cloudbreak-role", inputs: { path: "/", maxSessionDuration: 3600, tags: { team: "data-platform" } } },
            { type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name: "cloudbreak-attachment-0", inputs: { policyArn: READ_ONLY_ARN } },
        ],
        outputs: {
            accountId: ACCOUNT,
            roleArn: ROLE_ARN,
            roleName: "cbreak-deployer",
            externalIds: ["provision-ambari"],
            trustPolicy: JSON.stringify(trustPolicy(DEPLOYER_ROOT, "provision-ambari")),
            permissionsPolicy: JSON.stringify(permissionsPolicy(["ec2:DescribeRegions", "iam:GetRole"])),
        },
    };
}

/** Returns a live role equal to {@link basePlan}. */
function baseLiveRole(): LiveRole {
    return {
        name: "cbreak-deployer",
        arn: ROLE_ARN,
        path: "/",
        maxSessionDuration: 3600,
        tags: { team: "data-platform" },
        trustPolicy: trustPolicy(DEPLOYER_ROOT, "provision-ambari"),
        inlinePolicies: [{ name: "cb-policy", document: permissionsPolicy(["ec2:DescribeRegions", "iam:GetRole"]) }],
        attachedPolicies: [{ arn: READ_ONLY_ARN, name: "ReadOnlyAccess" }],
    };
}

interface DriftCase {
    name: string;
    /** Changes the live role or the plan of the equal pair. */
    change: (live: LiveRole, plan: StackPlan) => void;
    drift: Drift[];
}

const OTHER_ROOT = `arn:${partition}:iam::999988887777:root`;

const CASES: DriftCase[] = [
    { name: "reports nothing for an equal role", change: () => undefined, drift: [] },
    {
        name: "reports the role ARN",
        change: (live) => (live.arn = `arn:${partition}:iam::999988887777:role/cbreak-deployer`),
        drift: [{ kind: "role-arn", message: `the live ARN is arn:${partition}:iam::999988887777:role/cbreak-deployer, the plan's is ${ROLE_ARN}` }],
    },
    {
        name: "reports the role path",
        change: (live) => (live.path = "/cloudera/"),
        drift: [{ kind: "role-path", message: "path is /cloudera/, the plan has /" }],
    },
    {
        name: "reports the max session duration",
        change: (live) => (live.maxSessionDuration = 7200),
        drift: [{ kind: "role-max-session-duration", message: "max session duration is 7200 s, the plan has 3600 s" }],
    },
    {
        name: "applies the default max session duration",
        change: (_live, plan) => delete plan.resources[0].inputs.maxSessionDuration,
        drift: [],
    },
    {
        name: "reports the permissions boundary",
        change: (live) => (live.permissionsBoundaryArn = `arn:${partition}:iam::${ACCOUNT}:policy/boundary`),
        drift: [{ kind: "role-permissions-boundary", message: `permissions boundary is arn:${partition}:iam::${ACCOUNT}:policy/boundary, the plan has none` }],
    },
    {
        name: "reports the description",
        change: (live) => (live.description = "made by cbd"),
        drift: [{ kind: "role-description", message: 'description is "made by cbd", the plan has null' }],
    },
    {
        name: "reports tags",
        change: (live) => (live.tags = { owner: "ops" }),
        drift: [{ kind: "role-tags", message: "tags: missing team=data-platform; extra owner=ops", missing: ["team=data-platform"], extra: ["owner=ops"] }],
    },
    {
        name: "reports a trusted principal",
        change: (live) => (live.trustPolicy = trustPolicy(OTHER_ROOT, "provision-ambari")),
        drift: [
            { kind: "trust-principals", message: `trusted principals: missing ${DEPLOYER_ROOT}; extra ${OTHER_ROOT}`, missing: [DEPLOYER_ROOT], extra: [OTHER_ROOT] },
            {
                kind: "trust-statements",
                message: "trust policy statements differ (live 1, plan 1): 1 live statement is not in the plan, 1 planned statement is not live",
                missing: [canonicalTrustStatement(DEPLOYER_ROOT, "provision-ambari")],
                extra: [canonicalTrustStatement(OTHER_ROOT, "provision-ambari")],
            },
        ],
    },
    {
        name: "equates account ID and root ARN",
        change: (live) => (live.trustPolicy = trustPolicy(DEPLOYER, "provision-ambari")),
        drift: [],
    },
    {
        name: "reports an external ID",
        change: (live) => (live.trustPolicy = trustPolicy(DEPLOYER_ROOT, "tenant-b")),
        drift: [
            { kind: "trust-external-ids", message: "required external IDs: missing provision-ambari; extra tenant-b", missing: ["provision-ambari"], extra: ["tenant-b"] },
            {
                kind: "trust-statements",
                message: "trust policy statements differ (live 1, plan 1): 1 live statement is not in the plan, 1 planned statement is not live",
                missing: [canonicalTrustStatement(DEPLOYER_ROOT, "provision-ambari")],
                extra: [canonicalTrustStatement(DEPLOYER_ROOT, "tenant-b")],
            },
        ],
    },
    {
        name: "ignores secret external IDs",
        change: (live, plan) => {
            plan.outputs.externalIds = ["[secret]"];
            plan.outputs.trustPolicy = JSON.stringify(trustPolicy(DEPLOYER_ROOT, "[secret]"));
            live.trustPolicy = trustPolicy(DEPLOYER_ROOT, "tenant-b");
        },
        drift: [],
    },
    {
        name: "reports an extra trust statement",
        change: (live) =>
            live.trustPolicy.Statement.push({
                Effect: "Deny",
                Principal: { AWS: DEPLOYER_ROOT },
                Action: "sts:AssumeRole",
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
        drift: [
            {
                kind: "trust-statements",
                message: "trust policy statements differ (live 2, plan 1): 1 live statement is not in the plan, 0 planned statements are not live",
                missing: [],
                extra: [
                    `{"Effect":"Deny","Action":["sts:assumerole"],"NotAction":[],"Resource":[],"NotResource":[],` +
                        `"Principal":{"AWS":["${DEPLOYER_ROOT}"]},"Condition":{"Bool":{"aws:securetransport":["false"]}}}`,
                ],
            },
        ],
    },
    {
        name: "reports a missing inline action",
        change: (live) => (live.inlinePolicies[0].document = permissionsPolicy(["ec2:DescribeRegions"])),
        drift: [{ kind: "inline-policy-actions", message: "cb-policy actions: missing iam:GetRole", missing: ["iam:GetRole"], extra: [] }],
    },
    {
        name: "reports an extra inline action",
        change: (live) => (live.inlinePolicies[0].document = permissionsPolicy(["ec2:DescribeRegions", "iam:GetRole", "s3:GetObject"])),
        drift: [{ kind: "inline-policy-actions", message: "cb-policy actions: extra s3:GetObject", missing: [], extra: ["s3:GetObject"] }],
    },
    {
        name: "ignores the case of actions",
        change: (live) => (live.inlinePolicies[0].document = permissionsPolicy(["EC2:DescribeRegions", "iam:getrole"])),
        drift: [],
    },
    {
        name: "reports a duplicate inline action",
        change: (live) => (live.inlinePolicies[0].document = permissionsPolicy(["ec2:DescribeRegions", "iam:GetRole", "iam:GetRole"])),
        drift: [{ kind: "inline-policy-duplicate-actions", message: "cb-policy lists iam:GetRole (2 times); the plan lists each action once", extra: ["iam:GetRole"] }],
    },
    {
        name: "reports regrouped inline statements",
        change: (live) => (live.inlinePolicies[0].document = permissionsPolicy(["ec2:DescribeRegions"], ["iam:GetRole"])),
        drift: [
            {
                kind: "inline-policy-statements",
                message: "cb-policy has the plan's actions, but its statements differ in grouping, resources or conditions (live 2, plan 1 statements)",
            },
        ],
    },
    {
        name: "reports a missing inline policy",
        change: (live) => (live.inlinePolicies = []),
        drift: [{ kind: "inline-policy-missing", message: "the inline policy cb-policy does not exist", missing: ["cb-policy"] }],
    },
    {
        name: "reports an extra inline policy",
        change: (live) => live.inlinePolicies.push({ name: "legacy", document: permissionsPolicy(["s3:GetObject"]) }),
        drift: [{ kind: "inline-policy-extra", message: "inline policies that the plan does not have: legacy", extra: ["legacy"] }],
    },
    {
        name: "reports attachments",
        change: (live) => (live.attachedPolicies = [{ arn: `arn:${partition}:iam::aws:policy/AdministratorAccess`, name: "AdministratorAccess" }]),
        drift: [
            {
                kind: "attachments",
                message: `attached managed policies: missing ${READ_ONLY_ARN}; extra arn:${partition}:iam::aws:policy/AdministratorAccess`,
                missing: [READ_ONLY_ARN],
                extra: [`arn:${partition}:iam::aws:policy/AdministratorAccess`],
            },
        ],
    },
];

describe("compareRoleToPlan", () => {
    for (const { name, change, drift } of CASES) {
        it(name, () => {
            const live = baseLiveRole();
            const plan = basePlan();
            change(live, plan);

            assert.deepEqual(compareRoleToPlan(live, plan), drift);
        });
    }
});

describe("drift text", () => {
    it("formats no drift", () => {
        assert.equal(formatDrift("example", []), "Drift from the plan of stack example: none\n");
    });

    it("formats each drift item", () => {
        const live = baseLiveRole();
        live.path = "/cloudera/";
        live.inlinePolicies = [];

        assert.equal(
            formatDrift("example", compareRoleToPlan(live, basePlan())),
            [
                "Drift from the plan of stack example (2):",
                "  role-path: path is /cloudera/, the plan has /",
                "  inline-policy-missing: the inline policy cb-policy does not exist",
                "",
            ].join("\n"),
        );
    });

    it("formats a live role", () => {
        const live = baseLiveRole();
        live.description = "made by cbd";

        assert.equal(
            formatRole(live),
            [
                "Role cbreak-deployer",
                `  ARN: ${ROLE_ARN}`,
                "  Path: /",
                "  Description: made by cbd",
                "  Max session duration: 3600 s",
                "  Permissions boundary: none",
                "  Tags: team=data-platform",
                "Trust policy (1 statement):",
                "  Statement 0: Allow sts:AssumeRole",
                `    Principal AWS: ${DEPLOYER_ROOT}`,
                "    Condition StringEquals sts:ExternalId: provision-ambari",
                "Inline policies (1):",
                "  cb-policy:",
                "    {",
                '      "Version": "2012-10-17",',
                '      "Statement": [',
                "        {",
                '          "Effect": "Allow",',
                '          "Action": [',
                '            "ec2:DescribeRegions",',
                '            "iam:GetRole"',
                "          ],",
                '          "Resource": "*"',
                "        }",
                "      ]",
                "    }",
                "Attached managed policies (1):",
                `  ${READ_ONLY_ARN} (default version unknown):`,
                "",
            ].join("\n"),
        );
    });
});
