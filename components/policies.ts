/**
 * Pure builders for the trust and permissions documents of the Cloudbreak credential role.
 *
 * Nothing here talks to AWS or Pulumi: every function takes plain values and returns a plain
 * IAM policy document, so the same documents serve the component, the offline plan and tests.
 */

/** The AWS partitions whose IAM ARNs this package composes. */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** Cloudbreak generations that have a permissions policy preset. */
export const POLICY_PRESETS = ["cloudbreak-1", "cloudbreak-2", "cdp"] as const;
export type PolicyPreset = (typeof POLICY_PRESETS)[number];

/** The policy language version that every document here declares. */
export const POLICY_VERSION = "2012-10-17";

/** The inline policy name that `cbd aws generate-role` wrote; kept so adopted roles keep it. */
export const INLINE_POLICY_NAME = "cb-policy";

/** The external ID that Cloudbreak 1.x to 2.9 always sends (server property `cb.aws.external.id`). */
export const WELL_KNOWN_EXTERNAL_ID = "provision-ambari";

/** A condition block: operator, then condition key, then one value or a list of values. */
export type PolicyCondition = Record<string, Record<string, string | number | boolean | Array<string | number | boolean>>>;

/** One statement of an identity-based (permissions) policy. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: PolicyCondition;
}

/** One statement of a role trust policy. */
export interface TrustStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal: "*" | Record<string, string | string[]>;
    Action: string | string[];
    Condition?: PolicyCondition;
}

/** An IAM policy document. */
export interface PolicyDocument<S = PolicyStatement> {
    Version: typeof POLICY_VERSION;
    Statement: S[];
}

export type TrustPolicyDocument = PolicyDocument<TrustStatement>;

/**
 * Actions of `cb-policy` as cbd 1.14 to 2.2 wrote it: four wildcard statements.
 * Source: cloudbreak-deployer `include/aws-roles.bash` at tags v1.14.0 to 2.2.0.
 */
export const CLOUDBREAK_1_STATEMENTS: readonly PolicyStatement[] = [
    { Effect: "Allow", Action: ["cloudformation:*"], Resource: ["*"] },
    { Effect: "Allow", Action: ["ec2:*"], Resource: ["*"] },
    { Effect: "Allow", Action: ["iam:PassRole"], Resource: ["*"] },
    { Effect: "Allow", Action: ["autoscaling:*"], Resource: ["*"] },
];

/**
 * Actions of `cb-policy` as cbd 2.6.0 to 2.9.2 wrote it: 68 actions in four statements.
 * Source: cloudbreak-deployer `include/aws-roles.bash`, final form of 2018-03-23. The original
 * lists `ec2:DeleteRouteTable` twice; it appears once here.
 */
export const CLOUDBREAK_2_STATEMENTS: readonly PolicyStatement[] = [
    {
        Effect: "Allow",
        Action: [
            "cloudformation:CreateStack",
            "cloudformation:DeleteStack",
            "cloudformation:DescribeStackEvents",
            "cloudformation:DescribeStackResource",
            "cloudformation:DescribeStacks",
        ],
        Resource: ["*"],
    },
    {
        Effect: "Allow",
        Action: [
            "ec2:AllocateAddress",
            "ec2:AssociateAddress",
            "ec2:AssociateRouteTable",
            "ec2:AuthorizeSecurityGroupIngress",
            "ec2:DescribeRegions",
            "ec2:DescribeAvailabilityZones",
            "ec2:CreateRoute",
            "ec2:CreateRouteTable",
            "ec2:CreateSecurityGroup",
            "ec2:CreateSubnet",
            "ec2:CreateTags",
            "ec2:CreateVpc",
            "ec2:ModifyVpcAttribute",
            "ec2:DeleteSubnet",
            "ec2:CreateInternetGateway",
            "ec2:CreateKeyPair",
            "ec2:DisassociateAddress",
            "ec2:DisassociateRouteTable",
            "ec2:ModifySubnetAttribute",
            "ec2:ReleaseAddress",
            "ec2:DescribeAddresses",
            "ec2:DescribeImages",
            "ec2:DescribeInstanceStatus",
            "ec2:DescribeInstances",
            "ec2:DescribeInternetGateways",
            "ec2:DescribeKeyPairs",
            "ec2:DescribeRouteTables",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DeleteKeyPair",
            "ec2:DescribeVpcs",
            "ec2:DescribeSpotInstanceRequests",
            "ec2:DescribeVpcAttribute",
            "ec2:ImportKeyPair",
            "ec2:AttachInternetGateway",
            "ec2:DeleteVpc",
            "ec2:DeleteSecurityGroup",
            "ec2:DeleteRouteTable",
            "ec2:DeleteInternetGateway",
            "ec2:DeleteRoute",
            "ec2:DetachInternetGateway",
            "ec2:RunInstances",
            "ec2:StartInstances",
            "ec2:StopInstances",
            "ec2:TerminateInstances",
        ],
        Resource: ["*"],
    },
    {
        Effect: "Allow",
        Action: [
            "iam:ListRolePolicies",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfiles",
            "iam:PutRolePolicy",
            "iam:PassRole",
            "iam:GetRole",
        ],
        Resource: ["*"],
    },
    {
        Effect: "Allow",
        Action: [
            "autoscaling:CreateAutoScalingGroup",
            "autoscaling:CreateLaunchConfiguration",
            "autoscaling:DeleteAutoScalingGroup",
            "autoscaling:DeleteLaunchConfiguration",
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeLaunchConfigurations",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DetachInstances",
            "autoscaling:ResumeProcesses",
            "autoscaling:SuspendProcesses",
            "autoscaling:UpdateAutoScalingGroup",
        ],
        Resource: ["*"],
    },
];

/**
 * Builds the statements of Cloudera's default cross-account policy for CDP.
 *
 * Source: hortonworks/cloudbreak `aws-cb-policy.json` at commit 839683380e (2026-07-30), and
 * `aws-gov-cb-policy.json` for `aws-us-gov`, which drops the Performance Insights and PrivateLink
 * statements and adds `kms:ReEncrypt*`. Cloudera's file also has a
 * `KeyManagementServiceForSecretEncryption` statement whose four actions the
 * `KeyManagementServiceFull` statement already grants on the same resources; it is left out.
 */
export function buildCdpStatements(partition: Partition): PolicyStatement[] {
    const isGovCloud = partition === "aws-us-gov";
    const kmsActions = [
        "kms:CreateAlias",
        "kms:CreateGrant",
        "kms:CreateKey",
        "kms:Decrypt",
        "kms:EnableKeyRotation",
        "kms:GenerateRandom",
        "kms:ListKeys",
        "kms:ListKeyPolicies",
        "kms:DescribeKey",
        "kms:ListAliases",
        "kms:Encrypt",
        "kms:TagResource",
        "kms:DeleteAlias",
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        ...(isGovCloud ? ["kms:ReEncrypt*"] : []),
    ];

    const statements: PolicyStatement[] = [
        allowAll("CloudFormationFull", ["cloudformation:*"]),
        allowAll("CloudWatchMetric", [
            "cloudwatch:PutMetricAlarm",
            "cloudwatch:DeleteAlarms",
            "cloudwatch:DescribeAlarms",
            "cloudwatch:TagResource",
            "cloudwatch:ListTagsForResource",
            "cloudwatch:UntagResource",
        ]),
        allowAll("LogsFull", ["logs:CreateLogGroup"]),
        {
            Sid: "LogsLimited",
            Effect: "Allow",
            Action: [
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
                "logs:PutRetentionPolicy",
            ],
            Resource: [`arn:${partition}:logs:*:*:log-group:/aws/eks/*:*`],
        },
        allowAll("EnterpriseKubernetesServiceFull", ["eks:*"]),
        {
            Sid: "PerformanceInsightsLimited",
            Effect: "Allow",
            Action: ["pi:*"],
            Resource: [`arn:${partition}:pi:*:*:metrics/rds/*`],
        },
        allowAll("ElasticLoadBalancingFull", ["elasticloadbalancing:*"]),
        allowAll("RelationalDatabaseServiceFull", ["rds:*"]),
        allowAll("DomainNameServicesFull", [
            "route53:AssociateVPCWithHostedZone",
            "route53:ChangeResourceRecordSets",
            "route53:CreateHostedZone",
            "route53:GetChange",
            "route53:ListHostedZones",
            "route53:ListHostedZonesByName",
            "route53:ListResourceRecordSets",
        ]),
        allowAll("PrivateLink", ["vpce:AllowMultiRegion"]),
        allowAll("CertificateManagerFull", [
            "acm:AddTagsToCertificate",
            "acm:DeleteCertificate",
            "acm:DescribeCertificate",
            "acm:GetCertificate",
            "acm:ListCertificates",
            "acm:RenewCertificate",
            "acm:RequestCertificate",
            "acm:ListTagsForCertificate",
        ]),
        allowAll("SimpleStorageServiceFull", [
            "s3:AbortMultipartUpload",
            "s3:CreateBucket",
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:GetBucketLocation",
            "s3:PutObject",
            "s3:DeleteBucket",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketTagging",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
        ]),
        allowAll("ElasticFileSystemFull", ["elasticfilesystem:*"]),
        allowAll("ElasticComputeCloudFull", ["ec2:*"]),
        allowAll("IdentityAccessManagementFull", [
            "iam:AttachRolePolicy",
            "iam:CreateInstanceProfile",
            "iam:CreateRole",
            "iam:DeleteInstanceProfile",
            "iam:DeleteRole",
            "iam:ListRolePolicies",
            "iam:GetInstanceProfile",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfiles",
            "iam:PutRolePolicy",
            "iam:PassRole",
            "iam:GetRole",
            "iam:AddRoleToInstanceProfile",
            "iam:RemoveRoleFromInstanceProfile",
            "iam:DetachRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:SimulatePrincipalPolicy",
            "iam:ListRoles",
            "iam:TagRole",
            "iam:UntagRole",
        ]),
        {
            Sid: "IdentityAccessManagementLimited",
            Effect: "Allow",
            Action: ["iam:CreateServiceLinkedRole"],
            Resource: [`arn:${partition}:iam::*:role/aws-service-role/*`],
        },
        allowAll("AutoScalingFull", ["autoscaling:*"]),
        allowAll("ServiceQuotas", ["servicequotas:ListServiceQuotas"]),
        allowAll("KeyManagementServiceFull", kmsActions),
        allowAll("ECRAccessRead", [
            "ecr:DescribeRepositories",
            "ecr:DescribeImages",
            "ecr:GetAuthorizationToken",
        ]),
        allowAll("DecodeAuthorizationMessage", ["sts:DecodeAuthorizationMessage"]),
        // NOTE: ssm:DescribeParameters supports only Resource "*", so under this parameter ARN it grants nothing (as in Cloudera's file).
        {
            Sid: "AllowSsmParams",
            Effect: "Allow",
            Action: [
                "ssm:DescribeParameters",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:GetParameterHistory",
                "ssm:GetParametersByPath",
            ],
            Resource: [`arn:${partition}:ssm:*:*:parameter/aws/service/eks/optimized-ami/*`],
        },
        allowAll("PriceListService", ["pricing:GetProducts"]),
        allowAll("SecretsManagerForSecretEncryption", [
            "secretsmanager:CreateSecret",
            "secretsmanager:DeleteSecret",
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:PutResourcePolicy",
            "secretsmanager:TagResource",
            "secretsmanager:UpdateSecret",
        ]),
    ];

    if (!isGovCloud) {
        return statements;
    }
    const absentInGovCloud = new Set(["PerformanceInsightsLimited", "PrivateLink"]);
    return statements.filter((statement) => !absentInGovCloud.has(statement.Sid ?? ""));
}

function allowAll(sid: string, actions: string[]): PolicyStatement {
    return { Sid: sid, Effect: "Allow", Action: actions, Resource: ["*"] };
}

/** Returns a copy of the preset's statements for the given partition. */
export function presetStatements(preset: PolicyPreset, partition: Partition): PolicyStatement[] {
    switch (preset) {
        case "cloudbreak-1":
            return structuredClone([...CLOUDBREAK_1_STATEMENTS]);
        case "cloudbreak-2":
            return structuredClone([...CLOUDBREAK_2_STATEMENTS]);
        case "cdp":
            return buildCdpStatements(partition);
    }
}

/**
 * Actions that the region restriction leaves alone. IAM, Route 53 and the Price List API are
 * served from one global endpoint, and STS calls may go to the global endpoint, so
 * `aws:RequestedRegion` there is not the region that Cloudbreak works in.
 */
export const GLOBAL_SERVICE_ACTIONS: readonly string[] = [
    "iam:*",
    "route53:*",
    "pricing:*",
    "sts:*",
];

/** The `Sid` of the statement that denies regional actions outside `allowedRegions`. */
export const REGION_RESTRICTION_SID = "DenyOutsideAllowedRegions";

/** Builds the Deny statement that confines regional actions to `allowedRegions`. */
export function buildRegionRestriction(allowedRegions: readonly string[]): PolicyStatement {
    return {
        Sid: REGION_RESTRICTION_SID,
        Effect: "Deny",
        NotAction: [...GLOBAL_SERVICE_ACTIONS],
        Resource: ["*"],
        Condition: { StringNotEquals: { "aws:RequestedRegion": [...allowedRegions] } },
    };
}

export interface TrustPolicyOptions {
    /** Partition of the account that the role lives in. */
    partition: Partition;
    /** The 12-digit account that Cloudbreak runs in. */
    deployerAccountId: string;
    /** Role or user ARNs that narrow the trust from the whole deployer account. */
    deployerPrincipalArns?: readonly string[];
    /** External IDs, at least one; every Allow statement requires one of them. */
    externalIds: readonly string[];
}

/**
 * Builds the trust policy: one `sts:AssumeRole` statement for the deployer account (or the given
 * principals in it), conditioned on `sts:ExternalId`.
 *
 * With one external ID and no narrowed principals the document has the shape that
 * `cbd aws generate-role` wrote, with the account's root ARN as AWS stores it, so that an
 * adopted cbd role imports without a difference.
 */
export function buildTrustPolicy(options: TrustPolicyOptions): TrustPolicyDocument {
    const principalArns =
        options.deployerPrincipalArns && options.deployerPrincipalArns.length > 0
            ? [...options.deployerPrincipalArns]
            : [accountRootArn(options.partition, options.deployerAccountId)];
    const externalIds = [...options.externalIds];

    return {
        Version: POLICY_VERSION,
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: principalArns.length === 1 ? principalArns[0] : principalArns },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: {
                        "sts:ExternalId": externalIds.length === 1 ? externalIds[0] : externalIds,
                    },
                },
            },
        ],
    };
}

export interface PermissionsPolicyOptions {
    preset: PolicyPreset;
    partition: Partition;
    /** Statements appended after the preset's. */
    additionalStatements?: readonly PolicyStatement[];
    /** When set and not empty, regional actions outside these regions are denied. */
    allowedRegions?: readonly string[];
}

/** Builds the inline permissions policy: the preset, then the additional statements, then the region guard. */
export function buildPermissionsPolicy(options: PermissionsPolicyOptions): PolicyDocument {
    const statements = presetStatements(options.preset, options.partition);
    statements.push(...structuredClone([...(options.additionalStatements ?? [])]));
    if (options.allowedRegions && options.allowedRegions.length > 0) {
        statements.push(buildRegionRestriction(options.allowedRegions));
    }
    return { Version: POLICY_VERSION, Statement: statements };
}

/** Serializes a document the way IAM measures it: minified JSON. */
export function minifyPolicy(document: PolicyDocument<unknown>): string {
    return JSON.stringify(document);
}

/** Returns the actions of a statement as a list, whether it contains one string or many. */
export function statementActions(statement: { Action?: string | string[] }): string[] {
    if (statement.Action === undefined) {
        return [];
    }
    return typeof statement.Action === "string" ? [statement.Action] : [...statement.Action];
}

/** Builds the ARN of an account's root principal, which IAM stores for a bare account ID principal. */
export function accountRootArn(partition: string, accountId: string): string {
    return `arn:${partition}:iam::${accountId}:root`;
}

/** Derives the partition from a region code, e.g. `cn-north-1` is in `aws-cn`. */
export function partitionOfRegion(region: string): Partition {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
        return "aws-us-gov";
    }
    return "aws";
}
