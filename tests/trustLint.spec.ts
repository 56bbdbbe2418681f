/**
 * The fail-closed trust lint: which trust policies it rejects, with which message, and that the
 * component runs it before it creates anything.
 */
import * as assert from "node:assert/strict";

import * as pulumi from "@pulumi/pulumi";

import * as checks from "../components/checks";
import { CloudbreakCredentialRole } from "../components/credentialRole";
import { POLICY_PRESETS, POLICY_VERSION, Partition, TrustPolicyDocument, TrustStatement, buildTrustPolicy } from "../components/policies";
import { ValidationError } from "../components/validation";
import { captureUnhandledRejections, outputOf, setUpMocks, waitForPendingRpcs } from "./helpers/mocks";
import { loadShippedStacks } from "./helpers/shippedStacks";

const partition: Partition = "aws";
const DEPLOYER = "444455556666";
const OPTIONS = { deployerAccountId: DEPLOYER, partition };
const EXTERNAL_ID = "6f1c2a4e-3b9d-4e7a-9c1f-2d8b5a7e4c10";
const DEPLOYER_ROOT = `arn:${partition}:iam::${DEPLOYER}:root`;

const CONDITIONED: TrustStatement = {
    Effect: "Allow",
    Principal: { AWS: DEPLOYER_ROOT },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": "provision-ambari" } },
};

const MISSING_CONDITION =
    "it allows sts:AssumeRole without a StringEquals sts:ExternalId condition, so anyone in the trusted account could use the role through Cloudbreak's confused deputy. " +
    'Add "Condition": {"StringEquals": {"sts:ExternalId": "<external ID>"}}';

function trustOf(...statements: unknown[]): TrustPolicyDocument {
    return { Version: POLICY_VERSION, Statement: statements as TrustStatement[] };
}

function lintError(document: TrustPolicyDocument): ValidationError {
    try {
        checks.lintTrustPolicy(document, OPTIONS);
    } catch (error) {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        return error;
    }
    assert.fail("the trust lint accepted the document");
}

describe("lintTrustPolicy", () => {
    it("accepts the built documents", () => {
        const documents: Array<[TrustPolicyDocument, Partition, string]> = [
            [buildTrustPolicy({ partition, deployerAccountId: DEPLOYER, externalIds: ["provision-ambari"] }), partition, DEPLOYER],
            [
                buildTrustPolicy({
                    partition: "aws-us-gov",
                    deployerAccountId: DEPLOYER,
                    deployerPrincipalArns: [`arn:aws-us-gov:iam::${DEPLOYER}:role/cloudbreak`, `arn:aws-us-gov:iam::${DEPLOYER}:user/path/ops`],
                    externalIds: ["first-id", "second-id"],
                }),
                "aws-us-gov",
                DEPLOYER,
            ],
            ...loadShippedStacks().map((stack): [TrustPolicyDocument, Partition, string] => [
                JSON.parse(stack.documents.trustPolicy),
                stack.partition,
                stack.settings.args.deployerAccountId as string,
            ]),
        ];

        for (const [document, documentPartition, deployerAccountId] of documents) {
            assert.doesNotThrow(() => checks.lintTrustPolicy(document, { deployerAccountId, partition: documentPartition }));
        }
        assert.strictEqual(POLICY_PRESETS.length, 3);
    });

    it("accepts the bare deployer account ID", () => {
        assert.doesNotThrow(() => checks.lintTrustPolicy(trustOf({ ...CONDITIONED, Principal: { AWS: DEPLOYER } }), OPTIONS));
    });

    it("rejects an extra unconditioned Allow", () => {
        const error = lintError(trustOf(CONDITIONED, { Sid: "Extra", Effect: "Allow", Principal: { AWS: DEPLOYER_ROOT }, Action: "sts:AssumeRole" }));

        assert.strictEqual(error.input, "trustPolicy");
        assert.strictEqual(error.message, `Trust policy statement 1 (Sid "Extra") is rejected: ${MISSING_CONDITION}`);
    });

    it("rejects wildcard actions that match AssumeRole", () => {
        for (const action of ["sts:AssumeRole", "STS:assumerole", "sts:*", "*", "sts:Assume*", "sts:*Role", "sts:?ssumeRole", "sts:A*e"]) {
            const error = lintError(trustOf({ Effect: "Allow", Principal: { AWS: DEPLOYER_ROOT }, Action: [action] }));

            assert.strictEqual(error.message, `Trust policy statement 0 is rejected: ${MISSING_CONDITION}`, action);
        }
    });

    it("rejects the principal *", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Principal: "*" }));

        assert.strictEqual(
            error.message,
            'Trust policy statement 0 is rejected: the principal "*" is a wildcard and would trust any AWS account. Trust the deployer account or ARNs in it',
        );
    });

    it("rejects the AWS principal *", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Principal: { AWS: ["*"] } }));

        assert.strictEqual(
            error.message,
            'Trust policy statement 0 is rejected: the principal "*" is a wildcard and would trust any AWS account. Trust the deployer account or ARNs in it',
        );
    });

    it("rejects a principal of another account", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Principal: { AWS: [DEPLOYER_ROOT, `arn:${partition}:iam::777788889999:root`] } }));

        assert.strictEqual(
            error.message,
            `Trust policy statement 0 is rejected: the principal "arn:${partition}:iam::777788889999:root" is not in deployer account ${DEPLOYER} of partition aws. Trust only the deployer account or role and user ARNs in it`,
        );
    });

    it("rejects a principal of another partition", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Principal: { AWS: `arn:aws-cn:iam::${DEPLOYER}:role/cloudbreak` } }));

        assert.strictEqual(
            error.message,
            `Trust policy statement 0 is rejected: the principal "arn:aws-cn:iam::${DEPLOYER}:role/cloudbreak" is not in deployer account ${DEPLOYER} of partition aws. Trust only the deployer account or role and user ARNs in it`,
        );
    });

    it("rejects a Service principal", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Principal: { Service: "ec2.amazonaws.com" } }));

        assert.strictEqual(
            error.message,
            'Trust policy statement 0 is rejected: the Service principal "ec2.amazonaws.com" is not in the deployer account. Trust only AWS principals of the deployer account',
        );
    });

    it("rejects NotPrincipal", () => {
        const { Principal: _principal, ...withoutPrincipal } = CONDITIONED;
        const error = lintError(trustOf({ ...withoutPrincipal, NotPrincipal: { AWS: `arn:${partition}:iam::777788889999:root` } }));

        assert.strictEqual(
            error.message,
            "Trust policy statement 0 is rejected: NotPrincipal and NotAction widen a trust policy to principals that nobody listed. Name the principal and the action instead",
        );
    });

    it("rejects a StringLike external ID", () => {
        const error = lintError(trustOf({ ...CONDITIONED, Condition: { StringLike: { "sts:ExternalId": "provision-*" } } }));

        assert.strictEqual(error.message, `Trust policy statement 0 is rejected: ${MISSING_CONDITION}`);
    });

    it("rejects a too short external ID", () => {
        const error = lintError(trustOf({ Sid: "Short", ...CONDITIONED, Condition: { StringEquals: { "sts:ExternalId": ["provision-ambari", "x"] } } }));

        assert.strictEqual(error.input, 'trustPolicy statement 0 (Sid "Short") sts:ExternalId[1]');
        assert.strictEqual(
            error.message,
            'Invalid trustPolicy statement 0 (Sid "Short") sts:ExternalId[1] [secret]: an external ID has 2 to 1224 characters. ' +
                "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, the value from `cdp environments get-credential-prerequisites` for CDP",
        );
    });

    it("rejects a document without statements", () => {
        const error = lintError(trustOf());

        assert.strictEqual(error.message, "Trust policy document is rejected: it has no statements. Add an Allow statement for the deployer account with the sts:ExternalId condition");
    });

    it("ignores Deny statements", () => {
        const deny = { Sid: "DenyEveryoneElse", Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" };

        assert.doesNotThrow(() => checks.lintTrustPolicy(trustOf(CONDITIONED, deny), OPTIONS));
    });
});

describe("CloudbreakCredentialRole trust lint", () => {
    const original = checks.lintTrustPolicy;
    const args = { deployerAccountId: DEPLOYER, externalIds: [EXTERNAL_ID], partition };

    afterEach(() => {
        (checks as { lintTrustPolicy: typeof checks.lintTrustPolicy }).lintTrustPolicy = original;
    });

    function replaceLint(replacement: typeof checks.lintTrustPolicy): void {
        (checks as { lintTrustPolicy: typeof checks.lintTrustPolicy }).lintTrustPolicy = replacement;
    }

    it("lints before registering anything", async () => {
        const mocks = await setUpMocks({ accountId: "111122223333", partition });
        const resourcesAtLint: string[][] = [];
        replaceLint((document, options) => {
            resourcesAtLint.push(mocks.resources.map((resource) => `${resource.type} ${resource.name}`));
            original(document, options);
        });

        const role = new CloudbreakCredentialRole("linted", args);
        await outputOf(role.roleArn);

        // Known inputs are linted once, before the component registers; the Output of the
        // documents, which every IAM resource waits for, reuses that result.
        assert.deepStrictEqual(resourcesAtLint, [[]]);
    });

    it("creates nothing when the lint rejects", async () => {
        const mocks = await setUpMocks({ accountId: "111122223333", partition });
        replaceLint(() => {
            throw new ValidationError("trustPolicy", "Trust policy statement 0 is rejected: test rejection. Fix it");
        });

        assert.throws(() => new CloudbreakCredentialRole("rejected", args), {
            name: "ValidationError",
            message: "Trust policy statement 0 is rejected: test rejection. Fix it",
        });
        await waitForPendingRpcs();
        assert.deepStrictEqual(mocks.resources, []);
    });

    it("creates no IAM resource when the lint rejects later", async () => {
        const mocks = await setUpMocks({ accountId: "111122223333", partition });
        replaceLint(() => {
            throw new ValidationError("trustPolicy", "Trust policy statement 0 is rejected: test rejection. Fix it");
        });

        const errors = await captureUnhandledRejections(
            () => new CloudbreakCredentialRole("late", { deployerAccountId: pulumi.output(DEPLOYER), externalIds: pulumi.output([EXTERNAL_ID]) }),
        );

        // The SDK reports the one failure once per promise that it rejects (a count that changes
        // with every Output that depends on the documents), always as the same Error object.
        assert.notStrictEqual(errors.length, 0);
        assert.deepStrictEqual(
            [...new Set(errors)].map((error) => error.message),
            ['error serializing property "policy": error serializing property "assumeRolePolicy": Trust policy statement 0 is rejected: test rejection. Fix it'],
        );
        assert.deepStrictEqual(
            mocks.resources.filter((resource) => resource.type.startsWith("aws:iam/")).map((resource) => resource.name),
            [],
        );
    });
});
