/**
 * Messages of `show` and `verify` that need no AWS endpoint: verify's trust checks on a live trust
 * policy, and the messages for an unreachable endpoint and missing credentials.
 */
import * as assert from "node:assert/strict";

import { describeAwsError, describeEndpoints } from "../cli/awsClients";
import { checkLiveTrust } from "../cli/verify";
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

/** Runs verify's trust checks and returns each recorded line as `OUTCOME check: detail`. */
function trustCheckLines(trust: TrustPolicyDocument, externalId: string, showExternalIds: boolean): string[] {
    const lines: string[] = [];
    checkLiveTrust(trust, { deployerAccountId: DEPLOYER, partition, showExternalIds }, externalId, (outcome, check, detail) => lines.push(`${outcome} ${check}: ${detail}`));
    return lines;
}

const EXTERNAL_ID_FIX =
    "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
    "the value from `cdp environments get-credential-prerequisites` for CDP";

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

describe("verify trust checks", function () {
    it("passes a valid trust policy", function () {
        assert.deepEqual(trustCheckLines(trustWith(["provision-ambari"]), "provision-ambari", true), [
            "PASS trust policy lint: every Allow statement requires an external ID and trusts only the deployer account",
            "PASS trust policy external ID: the live trust policy requires the external ID that verify sent",
        ]);
    });

    it("shows an invalid external ID that is not secret", function () {
        assert.deepEqual(trustCheckLines(trustWith(["provision-ambari", "x"], "Cloudbreak"), "provision-ambari", true), [
            `FAIL trust policy lint: Invalid trustPolicy statement 0 (Sid "Cloudbreak") sts:ExternalId[1] "x": an external ID has 2 to 1224 characters. ${EXTERNAL_ID_FIX}`,
            "PASS trust policy external ID: the live trust policy requires the external ID that verify sent",
        ]);
    });

    it("shows the value without a Sid", function () {
        assert.deepEqual(trustCheckLines(trustWith(["bad id!"]), "provision-ambari", true), [
            `FAIL trust policy lint: Invalid trustPolicy statement 0 sts:ExternalId[0] "bad id!": an external ID may contain only letters, digits and + = , . @ : / _ -. ${EXTERNAL_ID_FIX}`,
            "FAIL trust policy external ID: the live trust policy does not require the external ID that verify sent",
        ]);
    });

    it("hides a secret external ID", function () {
        assert.deepEqual(trustCheckLines(trustWith(["provision-ambari", "x"], "Cloudbreak"), "provision-ambari", false), [
            `FAIL trust policy lint: Invalid trustPolicy statement 0 (Sid "Cloudbreak") sts:ExternalId[1] [secret]: an external ID has 2 to 1224 characters. ${EXTERNAL_ID_FIX}`,
            "PASS trust policy external ID: the live trust policy requires the external ID that verify sent",
        ]);
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
