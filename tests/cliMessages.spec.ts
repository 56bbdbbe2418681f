/**
 * Messages of `show` and `verify` that need no AWS endpoint: the lint message with a non-secret
 * external ID shown, and the messages for an unreachable endpoint and missing credentials.
 */
import * as assert from "node:assert/strict";

import { describeAwsError, describeEndpoints } from "../cli/awsClients";
import { showExternalIdInLintMessage } from "../cli/verify";
import { lintTrustPolicy } from "../components/checks";
import { Partition, TrustPolicyDocument } from "../components/policies";

const partition: Partition = "aws";
const DEPLOYER = "444455556666";

function trustWith(externalIds: string[], sid?: string): TrustPolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                ...(sid === undefined ? {} : { Sid: sid }),
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${DEPLOYER}:root` },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": externalIds } },
            },
        ],
    };
}

function lintMessage(trust: TrustPolicyDocument): string {
    try {
        lintTrustPolicy(trust, { deployerAccountId: DEPLOYER, partition });
    } catch (error) {
        return (error as Error).message;
    }
    assert.fail("the lint accepted the trust policy");
}

/** Sets environment variables for one test and restores them afterwards. */
function withEnvironment(values: Record<string, string | undefined>, body: () => void): void {
    const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
    const assign = (entries: Record<string, string | undefined>) => {
        for (const [key, value] of Object.entries(entries)) {
            if (value === undefined) {
                delete process.env[key];
            } else {
                process.env[key] = value;
            }
        }
    };
    assign(values);
    try {
        body();
    } finally {
        assign(saved);
    }
}

const NO_ENDPOINTS = { AWS_ENDPOINT_URL: undefined, AWS_ENDPOINT_URL_IAM: undefined, AWS_ENDPOINT_URL_STS: undefined };

describe("verify lint message", function () {
    it("shows the invalid external ID", function () {
        const trust = trustWith(["provision-ambari", "x"], "Cloudbreak");
        const secretMessage = lintMessage(trust);

        assert.equal(
            secretMessage,
            'Invalid trustPolicy statement 0 (Sid "Cloudbreak") sts:ExternalId[1] [secret]: an external ID has 2 to 1224 characters. ' +
                "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
                "the value from `cdp environments get-credential-prerequisites` for CDP",
        );
        assert.equal(showExternalIdInLintMessage(secretMessage, trust), secretMessage.replace("[secret]", '"x"'));
    });

    it("shows the value without a Sid", function () {
        const trust = trustWith(["bad id!"]);

        const message = showExternalIdInLintMessage(lintMessage(trust), trust);

        assert.equal(
            message,
            'Invalid trustPolicy statement 0 sts:ExternalId[0] "bad id!": an external ID may contain only letters, digits and + = , . @ : / _ -. ' +
                "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
                "the value from `cdp environments get-credential-prerequisites` for CDP",
        );
    });

    it("keeps other lint messages", function () {
        const message = "Trust policy statement 0 is rejected: it has no external ID.";

        assert.equal(showExternalIdInLintMessage(message, trustWith(["x"])), message);
    });
});

describe("AWS error messages", function () {
    it("names the endpoint of a refused connection", function () {
        const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });

        withEnvironment({ ...NO_ENDPOINTS, AWS_ENDPOINT_URL: "http://127.0.0.1:1" }, () => {
            assert.equal(
                describeAwsError(error),
                "Cannot connect to AWS endpoint http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1. " +
                    "Check that the endpoint is running and reachable, and the endpoint settings AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL_STS and AWS_REGION.",
            );
        });
    });

    it("names the default endpoints", function () {
        withEnvironment(NO_ENDPOINTS, () => {
            assert.equal(describeEndpoints(), "the default AWS endpoints of IAM and STS");
        });
    });

    it("names each endpoint when they differ", function () {
        withEnvironment({ ...NO_ENDPOINTS, AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ENDPOINT_URL_IAM: "http://127.0.0.1:2" }, () => {
            assert.equal(describeEndpoints(), "IAM endpoint http://127.0.0.1:2 and STS endpoint http://127.0.0.1:1");
        });
    });

    it("names the credential settings", function () {
        const error = new Error("Could not load credentials from any providers");
        error.name = "CredentialsProviderError";

        assert.equal(
            describeAwsError(error),
            "No AWS credentials: Could not load credentials from any providers. " +
                "Set AWS_PROFILE to a profile of ~/.aws/config or ~/.aws/credentials, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
                "(with AWS_SESSION_TOKEN for temporary credentials), or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE, or run where an instance or container role provides them.",
        );
    });

    it("keeps AWS error names", function () {
        const error = new Error("User is not authorized");
        error.name = "AccessDenied";

        assert.equal(describeAwsError(error), "AccessDenied: User is not authorized");
    });
});
