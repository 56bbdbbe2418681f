/**
 * IAM's size quotas at their exact boundaries: a document of exactly the limit passes and one
 * character more fails, both for the bare check and through the component's document builder.
 */
import * as assert from "node:assert/strict";

import { POLICY_SIZE_LIMITS, PolicySizeKind, assertPolicySize, policySize } from "../components/checks";
import { CloudbreakCredentialRoleArgs, buildCredentialRoleDocuments, resolveCredentialRoleArgs } from "../components/credentialRole";
import { POLICY_VERSION, Partition, PolicyDocument, PolicyStatement, buildTrustPolicy } from "../components/policies";
import { ValidationError } from "../components/validation";

const partition: Partition = "aws";
const DEPLOYER = "444455556666";

const MESSAGES: Record<PolicySizeKind, (size: number) => string> = {
    trust: (size) =>
        `The trust policy is ${size} characters of minified JSON, over the IAM limit of 2048 for a trust policy. ` +
        "Trust fewer deployer principals or external IDs, or ask AWS to raise the ACLSizePerRole quota to 4096 and check the size yourself.",
    inline: (size) =>
        `The inline policy cb-policy is ${size} characters of minified JSON, over the IAM limit of 10240 for the inline policies of a role. ` +
        "Move additional statements into a customer managed policy and pass its ARN in managedPolicyArns.",
    managed: (size) =>
        `The managed policy is ${size} characters of minified JSON, over the IAM limit of 6144 for a managed policy. ` +
        "Split the statements across two managed policies.",
};

const DOCUMENT_NAMES: Record<PolicySizeKind, string> = {
    trust: "trust policy",
    inline: "inline policy cb-policy",
    managed: "managed policy",
};

/** Returns a copy of `document` whose first statement's Sid pads it to exactly `size` characters. */
function paddedToSize<T extends { Sid?: string }>(document: PolicyDocument<T>, size: number): PolicyDocument<T> {
    const padded = structuredClone(document);
    padded.Statement[0].Sid = "";
    const missing = size - policySize(padded);
    assert.ok(missing >= 0, `the document is already ${policySize(padded)} characters`);
    padded.Statement[0].Sid = "P".repeat(missing);
    return padded;
}

function sampleDocument(kind: PolicySizeKind): PolicyDocument<{ Sid?: string }> {
    if (kind === "trust") {
        return buildTrustPolicy({ partition, deployerAccountId: DEPLOYER, externalIds: ["provision-ambari"] });
    }
    const statement: PolicyStatement = { Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] };
    return { Version: POLICY_VERSION, Statement: [statement] };
}

function sizeError(action: () => void): ValidationError {
    try {
        action();
    } catch (error) {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        return error;
    }
    assert.fail("the size check passed");
}

describe("assertPolicySize", () => {
    it("uses IAM's default quotas", () => {
        assert.deepStrictEqual({ ...POLICY_SIZE_LIMITS }, { trust: 2048, inline: 10240, managed: 6144 });
    });

    for (const kind of ["trust", "inline", "managed"] as const) {
        const limit = POLICY_SIZE_LIMITS[kind];

        it(`passes ${kind} document at ${limit}`, () => {
            const document = paddedToSize(sampleDocument(kind), limit);

            assert.strictEqual(JSON.stringify(document).length, limit);
            assert.doesNotThrow(() => assertPolicySize(kind, DOCUMENT_NAMES[kind], document));
        });

        it(`fails ${kind} document at ${limit + 1}`, () => {
            const document = paddedToSize(sampleDocument(kind), limit + 1);
            const error = sizeError(() => assertPolicySize(kind, DOCUMENT_NAMES[kind], document));

            assert.strictEqual(JSON.stringify(document).length, limit + 1);
            assert.strictEqual(error.input, DOCUMENT_NAMES[kind]);
            assert.strictEqual(error.message, MESSAGES[kind](limit + 1));
        });
    }

    it("measures minified JSON, not pretty-printed", () => {
        const document = paddedToSize(sampleDocument("managed"), POLICY_SIZE_LIMITS.managed);

        assert.ok(JSON.stringify(document, null, 4).length > POLICY_SIZE_LIMITS.managed);
        assert.doesNotThrow(() => assertPolicySize("managed", "managed policy", document));
    });
});

describe("buildCredentialRoleDocuments size budgets", () => {
    const baseArgs: CloudbreakCredentialRoleArgs = { deployerAccountId: DEPLOYER, externalIds: ["provision-ambari"], partition };

    function build(args: CloudbreakCredentialRoleArgs) {
        return buildCredentialRoleDocuments({
            resolved: resolveCredentialRoleArgs(args),
            partition,
            deployerAccountId: args.deployerAccountId as string,
            externalIds: args.externalIds as string[],
        });
    }

    /** Returns args whose inline policy is exactly `size` characters, by padding a bucket ARN. */
    function argsWithInlineSize(size: number): CloudbreakCredentialRoleArgs {
        const statement = (name: string): PolicyStatement => ({
            Sid: "ReadDataBucket",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [`arn:${partition}:s3:::${name}`],
        });
        const unpadded = build({ ...baseArgs, additionalStatements: [statement("")] }).permissionsPolicy.length;
        return { ...baseArgs, additionalStatements: [statement("b".repeat(size - unpadded))] };
    }

    /** Returns external IDs that make the trust policy exactly `size` characters. */
    function externalIdsForTrustSize(size: number): string[] {
        const ids = Array.from({ length: 80 }, (_, index) => `tenant-${String(index).padStart(4, "0")}`);
        const unpadded = build({ ...baseArgs, externalIds: ids }).trustPolicy.length;
        const last = ids.length - 1;
        ids[last] = `${ids[last]}${"x".repeat(size - unpadded)}`;
        return ids;
    }

    it("passes an inline policy of exactly 10240", () => {
        const documents = build(argsWithInlineSize(10240));

        assert.strictEqual(documents.permissionsPolicy.length, 10240);
    });

    it("fails an inline policy of 10241", () => {
        const error = sizeError(() => build(argsWithInlineSize(10241)));

        assert.strictEqual(error.input, "inline policy cb-policy");
        assert.strictEqual(error.message, MESSAGES.inline(10241));
    });

    it("passes a trust policy of exactly 2048", () => {
        const documents = build({ ...baseArgs, externalIds: externalIdsForTrustSize(2048) });

        assert.strictEqual(documents.trustPolicy.length, 2048);
    });

    it("fails a trust policy of 2049", () => {
        const error = sizeError(() => build({ ...baseArgs, externalIds: externalIdsForTrustSize(2049) }));

        assert.strictEqual(error.input, "trust policy");
        assert.strictEqual(error.message, MESSAGES.trust(2049));
    });

    it("fails a trust policy with 150 external IDs", () => {
        const externalIds = Array.from({ length: 150 }, (_, index) => `tenant-${String(index).padStart(4, "0")}`);
        const error = sizeError(() => build({ ...baseArgs, externalIds }));

        const size = policySize(buildTrustPolicy({ partition, deployerAccountId: DEPLOYER, externalIds }));

        // 2099 characters for 150 quoted IDs of 11 characters and their 149 commas, 187 for the rest.
        assert.strictEqual(size, 2286);
        assert.strictEqual(error.input, "trust policy");
        assert.strictEqual(error.message, MESSAGES.trust(2286));
    });
});
