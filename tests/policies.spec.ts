import * as assert from "node:assert/strict";

import {
    CLOUDBREAK_1_STATEMENTS,
    CLOUDBREAK_2_STATEMENTS,
    GLOBAL_SERVICE_ACTIONS,
    PARTITIONS,
    Partition,
    PolicyStatement,
    buildCdpStatements,
    buildPermissionsPolicy,
    buildRegionRestriction,
    buildTrustPolicy,
    minifyPolicy,
    partitionOfRegion,
    presetStatements,
    statementActions,
} from "../components/policies";
import { CBD_2_ACTIONS } from "./fixtures/cbdRole";

/** The commercial partition, for ARNs written out in full. */
const AWS = "aws";

const DEPLOYER = "123456789012";

type CdpRow = [sid: string, resource: string, actions: string[]];

/**
 * Cloudera's `aws-cb-policy.json` at hortonworks/cloudbreak commit 839683380e, without the
 * `KeyManagementServiceForSecretEncryption` statement, whose actions `KeyManagementServiceFull`
 * already grants on the same resource.
 */
function cdpRows(partition: Partition): CdpRow[] {
    return [
        ["CloudFormationFull", "*", ["cloudformation:*"]],
        ["CloudWatchMetric", "*", ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource", "cloudwatch:UntagResource"]],
        ["LogsFull", "*", ["logs:CreateLogGroup"]],
        ["LogsLimited", `arn:${partition}:logs:*:*:log-group:/aws/eks/*:*`, ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents", "logs:PutRetentionPolicy"]],
        ["EnterpriseKubernetesServiceFull", "*", ["eks:*"]],
        ["PerformanceInsightsLimited", `arn:${partition}:pi:*:*:metrics/rds/*`, ["pi:*"]],
        ["ElasticLoadBalancingFull", "*", ["elasticloadbalancing:*"]],
        ["RelationalDatabaseServiceFull", "*", ["rds:*"]],
        ["DomainNameServicesFull", "*", ["route53:AssociateVPCWithHostedZone", "route53:ChangeResourceRecordSets", "route53:CreateHostedZone", "route53:GetChange", "route53:ListHostedZones", "route53:ListHostedZonesByName", "route53:ListResourceRecordSets"]],
        ["PrivateLink", "*", ["vpce:AllowMultiRegion"]],
        ["CertificateManagerFull", "*", ["acm:AddTagsToCertificate", "acm:DeleteCertificate", "acm:DescribeCertificate", "acm:GetCertificate", "acm:ListCertificates", "acm:RenewCertificate", "acm:RequestCertificate", "acm:ListTagsForCertificate"]],
        ["SimpleStorageServiceFull", "*", ["s3:AbortMultipartUpload", "s3:CreateBucket", "s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutObject", "s3:DeleteBucket", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"]],
        ["ElasticFileSystemFull", "*", ["elasticfilesystem:*"]],
        ["ElasticComputeCloudFull", "*", ["ec2:*"]],
        ["IdentityAccessManagementFull", "*", ["iam:AttachRolePolicy", "iam:CreateInstanceProfile", "iam:CreateRole", "iam:DeleteInstanceProfile", "iam:DeleteRole", "iam:ListRolePolicies", "iam:GetInstanceProfile", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfiles", "iam:PutRolePolicy", "iam:PassRole", "iam:GetRole", "iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:SimulatePrincipalPolicy", "iam:ListRoles", "iam:TagRole", "iam:UntagRole"]],
        ["IdentityAccessManagementLimited", `arn:${partition}:iam::*:role/aws-service-role/*`, ["iam:CreateServiceLinkedRole"]],
        ["AutoScalingFull", "*", ["autoscaling:*"]],
        ["ServiceQuotas", "*", ["servicequotas:ListServiceQuotas"]],
        ["KeyManagementServiceFull", "*", ["kms:CreateAlias", "kms:CreateGrant", "kms:CreateKey", "kms:Decrypt", "kms:EnableKeyRotation", "kms:GenerateRandom", "kms:ListKeys", "kms:ListKeyPolicies", "kms:DescribeKey", "kms:ListAliases", "kms:Encrypt", "kms:TagResource", "kms:DeleteAlias", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]],
        ["ECRAccessRead", "*", ["ecr:DescribeRepositories", "ecr:DescribeImages", "ecr:GetAuthorizationToken"]],
        ["DecodeAuthorizationMessage", "*", ["sts:DecodeAuthorizationMessage"]],
        ["AllowSsmParams", `arn:${partition}:ssm:*:*:parameter/aws/service/eks/optimized-ami/*`, ["ssm:DescribeParameters", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory", "ssm:GetParametersByPath"]],
        ["PriceListService", "*", ["pricing:GetProducts"]],
        ["SecretsManagerForSecretEncryption", "*", ["secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutResourcePolicy", "secretsmanager:TagResource", "secretsmanager:UpdateSecret"]],
    ];
}

function expectedCdp(partition: Partition): PolicyStatement[] {
    const govCloud = partition === "aws-us-gov";
    return cdpRows(partition)
        .filter(([sid]) => !govCloud || (sid !== "PerformanceInsightsLimited" && sid !== "PrivateLink"))
        .map(([sid, resource, actions]) => ({
            Sid: sid,
            Effect: "Allow",
            Action: govCloud && sid === "KeyManagementServiceFull" ? [...actions, "kms:ReEncrypt*"] : actions,
            Resource: [resource],
        }));
}

function allActions(statements: readonly PolicyStatement[]): string[] {
    return statements.flatMap((statement) => statementActions(statement));
}

describe("policies", () => {
    describe("cloudbreak-1 preset", () => {
        it("has the four wildcard statements of cbd 1.14 to 2.2", () => {
            assert.deepStrictEqual(presetStatements("cloudbreak-1", "aws"), [
                { Effect: "Allow", Action: ["cloudformation:*"], Resource: ["*"] },
                { Effect: "Allow", Action: ["ec2:*"], Resource: ["*"] },
                { Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] },
                { Effect: "Allow", Action: ["autoscaling:*"], Resource: ["*"] },
            ]);
        });

        it("is the same in every partition", () => {
            for (const partition of PARTITIONS) {
                assert.deepStrictEqual(presetStatements("cloudbreak-1", partition), presetStatements("cloudbreak-1", "aws"));
            }
        });
    });

    describe("cloudbreak-2 preset", () => {
        const statements = presetStatements("cloudbreak-2", "aws");

        it("has 5, 45, 7 and 11 actions", () => {
            assert.deepStrictEqual(
                statements.map((statement) => statementActions(statement).length),
                [5, 45, 7, 11],
            );
        });

        it("has 68 actions and no duplicate", () => {
            const actions = allActions(statements);
            assert.equal(actions.length, 68);
            assert.equal(new Set(actions).size, 68);
        });

        it("matches cbd 2.6 to 2.9 without the repeated action", () => {
            const expected = CBD_2_ACTIONS.map((actions) => ({
                Effect: "Allow",
                Action: actions.filter((action, index) => actions.indexOf(action) === index),
                Resource: ["*"],
            }));
            assert.deepStrictEqual(statements, expected);
        });

        it("is 2025 characters, cbd's 2048 less one action entry", () => {
            const cbdDocument = {
                Version: "2012-10-17" as const,
                Statement: CBD_2_ACTIONS.map((actions) => ({ Effect: "Allow", Action: actions, Resource: ["*"] })),
            };
            const size = minifyPolicy({ Version: "2012-10-17", Statement: statements }).length;
            assert.equal(minifyPolicy(cbdDocument).length, 2048);
            assert.equal(size, 2048 - '"ec2:DeleteRouteTable",'.length);
            assert.equal(size, 2025);
        });

        it("is the same in every partition", () => {
            for (const partition of PARTITIONS) {
                assert.deepStrictEqual(presetStatements("cloudbreak-2", partition), statements);
            }
        });
    });

    describe("cdp preset", () => {
        it("has 24 statements and 102 unique actions in aws", () => {
            const statements = buildCdpStatements("aws");
            const actions = allActions(statements);
            assert.equal(statements.length, 24);
            assert.equal(actions.length, 102);
            assert.equal(new Set(actions).size, 102);
        });

        for (const partition of PARTITIONS) {
            it(`matches Cloudera's policy in ${partition}`, () => {
                assert.deepStrictEqual(buildCdpStatements(partition), expectedCdp(partition));
            });
        }

        it("drops two statements and adds kms:ReEncrypt* in aws-us-gov", () => {
            const statements = buildCdpStatements("aws-us-gov");
            const sids = statements.map((statement) => statement.Sid);
            const actions = allActions(statements);
            assert.equal(statements.length, 22);
            assert.equal(sids.includes("PerformanceInsightsLimited"), false);
            assert.equal(sids.includes("PrivateLink"), false);
            assert.equal(actions.includes("kms:ReEncrypt*"), true);
            assert.equal(actions.length, 101);
            assert.equal(new Set(actions).size, 101);
        });

        it("has no kms:ReEncrypt* outside aws-us-gov", () => {
            assert.equal(allActions(buildCdpStatements("aws")).includes("kms:ReEncrypt*"), false);
            assert.equal(allActions(buildCdpStatements("aws-cn")).includes("kms:ReEncrypt*"), false);
        });

        for (const partition of PARTITIONS) {
            it(`uses only ${partition} ARNs`, () => {
                const resources = buildCdpStatements(partition).flatMap((statement) => statement.Resource as string[]);
                const arns = resources.filter((resource) => resource !== "*");
                assert.equal(arns.length, partition === "aws-us-gov" ? 3 : 4);
                for (const arn of arns) {
                    assert.ok(arn.startsWith(`arn:${partition}:`), arn);
                }
            });
        }

        it("has no aws ARN in aws-cn", () => {
            const text = minifyPolicy({ Version: "2012-10-17", Statement: buildCdpStatements("aws-cn") });
            assert.equal(text.includes(`arn:${AWS}:`), false);
        });
    });

    describe("presetStatements", () => {
        it("returns copies that callers may change", () => {
            const first = presetStatements("cloudbreak-2", "aws");
            (first[0].Action as string[]).push("ec2:DescribeVpcs");
            first[0].Effect = "Deny";
            assert.deepStrictEqual(presetStatements("cloudbreak-2", "aws")[0].Action, CBD_2_ACTIONS[0]);
            assert.equal(CLOUDBREAK_2_STATEMENTS[0].Effect, "Allow");
            assert.equal((CLOUDBREAK_2_STATEMENTS[0].Action as string[]).length, 5);
            const cloudbreak1 = presetStatements("cloudbreak-1", "aws");
            (cloudbreak1[1].Action as string[])[0] = "ec2:DescribeVpcs";
            assert.deepStrictEqual(CLOUDBREAK_1_STATEMENTS[1].Action, ["ec2:*"]);
        });
    });

    describe("buildTrustPolicy", () => {
        it("writes one external ID as a string", () => {
            assert.deepStrictEqual(buildTrustPolicy({ partition: "aws", deployerAccountId: DEPLOYER, externalIds: ["provision-ambari"] }), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { AWS: `arn:${AWS}:iam::${DEPLOYER}:root` },
                        Action: "sts:AssumeRole",
                        Condition: { StringEquals: { "sts:ExternalId": "provision-ambari" } },
                    },
                ],
            });
        });

        it("writes two external IDs as a list", () => {
            const document = buildTrustPolicy({ partition: "aws-cn", deployerAccountId: DEPLOYER, externalIds: ["old-id", "new-id"] });
            assert.equal(
                minifyPolicy(document),
                `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws-cn:iam::${DEPLOYER}:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["old-id","new-id"]}}}]}`,
            );
        });

        it("trusts one narrowed principal as a string", () => {
            const role = `arn:aws-us-gov:iam::${DEPLOYER}:role/cloudbreak`;
            const document = buildTrustPolicy({ partition: "aws-us-gov", deployerAccountId: DEPLOYER, deployerPrincipalArns: [role], externalIds: ["tenant-id"] });
            assert.deepStrictEqual(document.Statement[0].Principal, { AWS: role });
        });

        it("trusts two narrowed principals as a list", () => {
            const role = `arn:${AWS}:iam::${DEPLOYER}:role/cloudbreak`;
            const user = `arn:${AWS}:iam::${DEPLOYER}:user/ops/deployer`;
            const document = buildTrustPolicy({ partition: "aws", deployerAccountId: DEPLOYER, deployerPrincipalArns: [role, user], externalIds: ["tenant-id"] });
            assert.deepStrictEqual(document.Statement[0].Principal, { AWS: [role, user] });
        });

        it("trusts the account when the principal list is empty", () => {
            const document = buildTrustPolicy({ partition: "aws", deployerAccountId: DEPLOYER, deployerPrincipalArns: [], externalIds: ["tenant-id"] });
            assert.deepStrictEqual(document.Statement[0].Principal, { AWS: `arn:${AWS}:iam::${DEPLOYER}:root` });
        });

        it("does not keep references to its inputs", () => {
            const externalIds = ["old-id", "new-id"];
            const document = buildTrustPolicy({ partition: "aws", deployerAccountId: DEPLOYER, externalIds });
            externalIds.push("third-id");
            assert.deepStrictEqual(document.Statement[0].Condition, { StringEquals: { "sts:ExternalId": ["old-id", "new-id"] } });
        });
    });

    describe("buildRegionRestriction", () => {
        it("denies regional actions outside the regions", () => {
            assert.deepStrictEqual(buildRegionRestriction(["eu-west-1", "eu-central-1"]), {
                Sid: "DenyOutsideAllowedRegions",
                Effect: "Deny",
                NotAction: ["iam:*", "route53:*", "pricing:*", "sts:*"],
                Resource: ["*"],
                Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] } },
            });
        });

        it("does not share its lists", () => {
            const regions = ["eu-west-1"];
            const statement = buildRegionRestriction(regions);
            (statement.NotAction as string[]).push("s3:*");
            regions.push("us-east-1");
            assert.deepStrictEqual(GLOBAL_SERVICE_ACTIONS, ["iam:*", "route53:*", "pricing:*", "sts:*"]);
            assert.deepStrictEqual(statement.Condition, { StringNotEquals: { "aws:RequestedRegion": ["eu-west-1"] } });
        });
    });

    describe("buildPermissionsPolicy", () => {
        it("appends additional statements and the region restriction", () => {
            const extra: PolicyStatement = { Sid: "Extra", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] };
            const document = buildPermissionsPolicy({ preset: "cloudbreak-1", partition: "aws", additionalStatements: [extra], allowedRegions: ["eu-west-1"] });
            assert.deepStrictEqual(document, {
                Version: "2012-10-17",
                Statement: [...structuredClone([...CLOUDBREAK_1_STATEMENTS]), extra, buildRegionRestriction(["eu-west-1"])],
            });
        });

        it("adds no restriction for an empty region list", () => {
            const document = buildPermissionsPolicy({ preset: "cloudbreak-2", partition: "aws", allowedRegions: [] });
            assert.equal(document.Statement.length, 4);
        });

        it("copies additional statements", () => {
            const extra: PolicyStatement = { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"] };
            const document = buildPermissionsPolicy({ preset: "cloudbreak-1", partition: "aws", additionalStatements: [extra] });
            (document.Statement[4].Action as string[]).push("s3:PutObject");
            assert.deepStrictEqual(extra.Action, ["s3:GetObject"]);
        });

        it("leaves the exported constants unchanged", () => {
            const before = structuredClone([CLOUDBREAK_1_STATEMENTS, CLOUDBREAK_2_STATEMENTS, GLOBAL_SERVICE_ACTIONS]);
            for (const preset of ["cloudbreak-1", "cloudbreak-2", "cdp"] as const) {
                const document = buildPermissionsPolicy({ preset, partition: "aws", allowedRegions: ["eu-west-1"] });
                for (const statement of document.Statement) {
                    (statement.Action as string[] | undefined)?.push("ec2:DescribeVpcs");
                    (statement.NotAction as string[] | undefined)?.push("ec2:DescribeVpcs");
                    (statement.Resource as string[]).push("arn");
                }
            }
            assert.deepStrictEqual([CLOUDBREAK_1_STATEMENTS, CLOUDBREAK_2_STATEMENTS, GLOBAL_SERVICE_ACTIONS], before);
        });
    });

    describe("statementActions", () => {
        it("returns a list for a string, a list and nothing", () => {
            assert.deepStrictEqual(statementActions({ Action: "sts:AssumeRole" }), ["sts:AssumeRole"]);
            assert.deepStrictEqual(statementActions({ Action: ["ec2:DescribeVpcs", "ec2:DescribeSubnets"] }), ["ec2:DescribeVpcs", "ec2:DescribeSubnets"]);
            assert.deepStrictEqual(statementActions({}), []);
        });
    });

    describe("partitionOfRegion", () => {
        for (const [region, partition] of [
            ["us-east-1", "aws"],
            ["eu-west-1", "aws"],
            ["ap-southeast-2", "aws"],
            ["cn-north-1", "aws-cn"],
            ["cn-northwest-1", "aws-cn"],
            ["us-gov-west-1", "aws-us-gov"],
            ["us-gov-east-1", "aws-us-gov"],
        ] as const) {
            it(`puts ${region} in ${partition}`, () => {
                assert.equal(partitionOfRegion(region), partition);
            });
        }
    });
});
