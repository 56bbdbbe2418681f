import * as assert from "node:assert/strict";

import * as pulumi from "@pulumi/pulumi";

import {
    ValidationError,
    describeValue,
    isActionPattern,
    parsePolicyArn,
    parsePrincipalArn,
    validateAccountId,
    validateAllowedRegions,
    validateCredentialName,
    validateDeployerPrincipalArns,
    validateExternalId,
    validateExternalIds,
    validateManagedPolicyArns,
    validateMaxSessionDuration,
    validatePartition,
    validatePolicyArn,
    validatePolicyPreset,
    validateRoleDescription,
    validateRoleName,
    validateRolePath,
    validateStatement,
    validateStatements,
    validateTags,
} from "../components/validation";

/** The commercial partition, for ARNs written out in full. */
const AWS = "aws";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";

/** Asserts that `action` throws a ValidationError with exactly this message and input. */
function assertInvalid(action: () => void, message: string, input: string): void {
    assert.throws(action, (error: unknown) => {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        assert.equal(error.message, message);
        assert.equal(error.input, input);
        return true;
    });
}

/** Asserts that `action` throws a ValidationError whose message matches the whole pattern. */
function assertRejects(action: () => void, pattern: RegExp): void {
    assert.throws(action, (error: unknown) => {
        assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
        assert.match(error.message, pattern);
        return true;
    });
}

describe("validation", () => {
    describe("describeValue", () => {
        it("renders JSON", () => {
            assert.equal(describeValue("a"), '"a"');
            assert.equal(describeValue(3600), "3600");
            assert.equal(describeValue(undefined), "undefined");
        });

        it("cuts values over 80 characters", () => {
            const text = "x".repeat(100);
            assert.equal(describeValue(text), `"${"x".repeat(79)}... (100 characters)`);
        });

        it("names an Output without its value", () => {
            assert.equal(describeValue(pulumi.output("x")), "[Output]");
        });

        it("hides secrets", () => {
            assert.equal(describeValue("provision-ambari", true), "[secret]");
        });
    });

    describe("ValidationError", () => {
        it("is a pulumi RunError with name and input", () => {
            const error = new ValidationError("roleName", "Invalid roleName.");
            assert.equal(error.name, "ValidationError");
            assert.equal(error.input, "roleName");
            assert.equal(error.message, "Invalid roleName.");
            assert.ok(pulumi.RunError.isInstance(error));
        });
    });

    describe("validateAccountId", () => {
        const fix = 'Use the 12-digit account ID, as a quoted string such as "123456789012"';

        it("accepts 12 digits", () => {
            assert.doesNotThrow(() => validateAccountId("000000000000", "accountId"));
            assert.doesNotThrow(() => validateAccountId(ACCOUNT, "accountId"));
        });

        for (const [value, description] of [
            ["12345678901", "11 digits"],
            ["1234567890123", "13 digits"],
            ["12345678901a", "a letter"],
            [" 123456789012", "a leading space"],
            ["", "nothing"],
        ] as const) {
            it(`rejects ${description}`, () => {
                assertInvalid(
                    () => validateAccountId(value, "accountId"),
                    `Invalid accountId ${JSON.stringify(value)}: an AWS account ID is exactly 12 digits. ${fix}`,
                    "accountId",
                );
            });
        }

        it("rejects a number", () => {
            assertInvalid(
                () => validateAccountId(123456789012, "deployerAccountId"),
                `Invalid deployerAccountId 123456789012: it must be a string. ${fix}`,
                "deployerAccountId",
            );
        });
    });

    describe("validateExternalId", () => {
        const fix =
            "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
            "the value from `cdp environments get-credential-prerequisites` for CDP";
        const lengthRule = "an external ID has 2 to 1224 characters";
        const characterRule = "an external ID may contain only letters, digits and + = , . @ : / _ -";

        it("accepts 2 and 1224 characters", () => {
            assert.doesNotThrow(() => validateExternalId("ab", "externalId"));
            assert.doesNotThrow(() => validateExternalId("a".repeat(1224), "externalId"));
        });

        it("accepts each allowed punctuation", () => {
            for (const character of ["+", "=", ",", ".", "@", ":", "/", "_", "-"]) {
                assert.doesNotThrow(() => validateExternalId(`id${character}1`, "externalId"), character);
            }
        });

        it("accepts provision-ambari and a UUID", () => {
            assert.doesNotThrow(() => validateExternalId("provision-ambari", "externalId"));
            assert.doesNotThrow(() => validateExternalId("7c9e6679-7425-40de-944b-e07fc1f90ae7", "externalId"));
        });

        it("rejects 1 character", () => {
            assertInvalid(() => validateExternalId("a", "externalId"), `Invalid externalId "a": ${lengthRule}. ${fix}`, "externalId");
        });

        it("rejects 1225 characters", () => {
            assertInvalid(
                () => validateExternalId("a".repeat(1225), "externalId"),
                `Invalid externalId "${"a".repeat(79)}... (1225 characters): ${lengthRule}. ${fix}`,
                "externalId",
            );
        });

        for (const [value, description] of [
            ["with space", "a space"],
            ["ümlaut", "non-ASCII letters"],
            ["id#1", "a hash"],
            ["id*", "a wildcard"],
            ["tab\tid", "a tab"],
        ] as const) {
            it(`rejects ${description}`, () => {
                assertInvalid(
                    () => validateExternalId(value, "externalId"),
                    `Invalid externalId ${JSON.stringify(value)}: ${characterRule}. ${fix}`,
                    "externalId",
                );
            });
        }

        it("hides a secret value", () => {
            assertInvalid(
                () => validateExternalId("x", { name: "externalIds[0]", secret: true }),
                `Invalid externalIds[0] [secret]: ${lengthRule}. ${fix}`,
                "externalIds[0]",
            );
        });
    });

    describe("validateExternalIds", () => {
        const fix = 'Give at least one external ID, e.g. ["provision-ambari"]';

        it("accepts one and two IDs", () => {
            assert.doesNotThrow(() => validateExternalIds(["provision-ambari"], "externalIds"));
            assert.doesNotThrow(() => validateExternalIds(["old-id", "new-id"], "externalIds"));
        });

        it("rejects an empty list", () => {
            assertInvalid(
                () => validateExternalIds([], "externalIds"),
                `Invalid externalIds []: the trust policy needs at least one external ID. ${fix}`,
                "externalIds",
            );
        });

        it("rejects a plain string", () => {
            assertInvalid(
                () => validateExternalIds("provision-ambari", "externalIds"),
                `Invalid externalIds "provision-ambari": it must be a list. ${fix}`,
                "externalIds",
            );
        });

        it("names the invalid entry", () => {
            assertRejects(() => validateExternalIds(["good-id", "b d"], "externalIds"), /^Invalid externalIds\[1\] "b d": an external ID may contain only letters, digits and \+ = , \. @ : \/ _ -\. Use the external ID .+ for CDP$/);
        });

        it("rejects a duplicate", () => {
            assertInvalid(
                () => validateExternalIds(["id-1", "id-1"], "externalIds"),
                'Invalid externalIds[1] "id-1": it repeats an earlier entry. Remove the duplicate',
                "externalIds[1]",
            );
        });
    });

    describe("validateRoleName", () => {
        const fix = "Choose a name such as cbreak-deployer";

        it("accepts 1 and 64 characters and every allowed character", () => {
            assert.doesNotThrow(() => validateRoleName("a", "roleName"));
            assert.doesNotThrow(() => validateRoleName("r".repeat(64), "roleName"));
            assert.doesNotThrow(() => validateRoleName("Role_1+=,.@-", "roleName"));
        });

        it("rejects 65 characters", () => {
            assertInvalid(
                () => validateRoleName("r".repeat(65), "roleName"),
                `Invalid roleName ${describeValue("r".repeat(65))}: a role name has 1 to 64 characters. ${fix}`,
                "roleName",
            );
        });

        it("rejects an empty name", () => {
            assertInvalid(() => validateRoleName("", "roleName"), `Invalid roleName "": a role name has 1 to 64 characters. ${fix}`, "roleName");
        });

        for (const value of ["cb role", "cb/role", "cb:role", "cb*", "rôle"]) {
            it(`rejects ${JSON.stringify(value)}`, () => {
                assertInvalid(
                    () => validateRoleName(value, "roleName"),
                    `Invalid roleName ${JSON.stringify(value)}: a role name may contain only letters, digits and _ + = , . @ -. ${fix}`,
                    "roleName",
                );
            });
        }
    });

    describe("validateRolePath", () => {
        const fix = "Use / or a path such as /cloudbreak/";
        const shapeRule = "a path is / alone or starts and ends with / and has no spaces or non-ASCII characters";

        for (const value of ["/", "/a/", "/cloudbreak/prod/", "/!~/", `/${"p".repeat(510)}/`]) {
            it(`accepts ${describeValue(value).slice(0, 20)}`, () => {
                assert.doesNotThrow(() => validateRolePath(value, "path"));
            });
        }

        for (const value of ["a/", "/a", "", "//", "/a b/", "/é/"]) {
            it(`rejects ${JSON.stringify(value)}`, () => {
                assertInvalid(() => validateRolePath(value, "path"), `Invalid path ${JSON.stringify(value)}: ${shapeRule}. ${fix}`, "path");
            });
        }

        it("rejects 513 characters", () => {
            const value = `/${"p".repeat(511)}/`;
            assertInvalid(
                () => validateRolePath(value, "path"),
                `Invalid path ${describeValue(value)}: a path has at most 512 characters. ${fix}`,
                "path",
            );
        });
    });

    describe("validateRoleDescription", () => {
        const fix = "Shorten the text or remove the characters outside Latin-1";

        it("accepts empty, 1000 characters, Latin-1 and line breaks", () => {
            assert.doesNotThrow(() => validateRoleDescription("", "description"));
            assert.doesNotThrow(() => validateRoleDescription("d".repeat(1000), "description"));
            assert.doesNotThrow(() => validateRoleDescription("Rôle für Cloudbreak ©\n\tzweite Zeile", "description"));
        });

        it("rejects 1001 characters", () => {
            const value = "d".repeat(1001);
            assertInvalid(
                () => validateRoleDescription(value, "description"),
                `Invalid description ${describeValue(value)}: a role description has at most 1000 characters. ${fix}`,
                "description",
            );
        });

        for (const [value, description] of [
            ["Cloudbreak 🚀", "an emoji"],
            ["price €", "the euro sign"],
            ["bell\u0007", "a control character"],
            ["no\u00a0break", "a no-break space"],
        ] as const) {
            it(`rejects ${description}`, () => {
                assertInvalid(
                    () => validateRoleDescription(value, "description"),
                    `Invalid description ${JSON.stringify(value)}: a role description may contain only printable Basic Latin and Latin-1 characters. ${fix}`,
                    "description",
                );
            });
        }
    });

    describe("validateMaxSessionDuration", () => {
        const message = (rendered: string) =>
            `Invalid maxSessionDurationSeconds ${rendered}: IAM allows 3600 to 43200 seconds. Use a whole number of seconds from 3600 (1 hour) to 43200 (12 hours)`;

        it("accepts 3600 and 43200", () => {
            assert.doesNotThrow(() => validateMaxSessionDuration(3600, "maxSessionDurationSeconds"));
            assert.doesNotThrow(() => validateMaxSessionDuration(43200, "maxSessionDurationSeconds"));
        });

        for (const [value, rendered] of [
            [3599, "3599"],
            [43201, "43201"],
            [3600.5, "3600.5"],
            ["3600", '"3600"'],
            [Number.NaN, "null"],
        ] as const) {
            it(`rejects ${rendered}`, () => {
                assertInvalid(() => validateMaxSessionDuration(value, "maxSessionDurationSeconds"), message(rendered), "maxSessionDurationSeconds");
            });
        }
    });

    describe("validatePolicyPreset", () => {
        it("accepts every preset", () => {
            for (const preset of ["cloudbreak-1", "cloudbreak-2", "cdp"]) {
                assert.doesNotThrow(() => validatePolicyPreset(preset, "policy"));
            }
        });

        for (const value of ["cloudbreak-3", "CDP", ""]) {
            it(`rejects ${JSON.stringify(value)}`, () => {
                assertInvalid(
                    () => validatePolicyPreset(value, "policy"),
                    `Invalid policy ${JSON.stringify(value)}: the presets are cloudbreak-1, cloudbreak-2, cdp. Use cloudbreak-1 for cbd up to 2.2, cloudbreak-2 for cbd 2.6 to 2.9, cdp for CDP`,
                    "policy",
                );
            });
        }
    });

    describe("validatePartition", () => {
        it("accepts aws, aws-cn and aws-us-gov", () => {
            for (const partition of ["aws", "aws-cn", "aws-us-gov"]) {
                assert.doesNotThrow(() => validatePartition(partition, "partition"));
            }
        });

        it("rejects aws-iso", () => {
            assertInvalid(
                () => validatePartition("aws-iso", "partition"),
                `Invalid partition "aws-iso": the partitions are aws, aws-cn, aws-us-gov. Leave it unset to use the provider's partition`,
                "partition",
            );
        });
    });

    describe("parsePrincipalArn", () => {
        it("returns partition and account of roles and users", () => {
            assert.deepEqual(parsePrincipalArn(`arn:${AWS}:iam::${ACCOUNT}:role/cloudbreak`), { partition: "aws", accountId: ACCOUNT });
            assert.deepEqual(parsePrincipalArn(`arn:aws-cn:iam::${ACCOUNT}:user/ops/deployer`), { partition: "aws-cn", accountId: ACCOUNT });
            assert.deepEqual(parsePrincipalArn(`arn:aws-us-gov:iam::${ACCOUNT}:role/a/b/c`), { partition: "aws-us-gov", accountId: ACCOUNT });
        });

        it("returns undefined for other ARNs", () => {
            assert.equal(parsePrincipalArn(`arn:${AWS}:iam::${ACCOUNT}:root`), undefined);
            assert.equal(parsePrincipalArn(`arn:${AWS}:sts::${ACCOUNT}:assumed-role/cloudbreak/session`), undefined);
            assert.equal(parsePrincipalArn(`arn:aws-iso:iam::${ACCOUNT}:role/cloudbreak`), undefined);
            assert.equal(parsePrincipalArn(`arn:${AWS}:iam::${ACCOUNT}:group/admins`), undefined);
        });
    });

    describe("validateDeployerPrincipalArns", () => {
        const fix = `Use ARNs such as arn:<partition>:iam::${ACCOUNT}:role/cloudbreak, or leave the list empty to trust the whole account`;
        const validate = (values: unknown) => validateDeployerPrincipalArns(values, ACCOUNT, "deployerPrincipalArns");

        it("accepts an empty list", () => {
            assert.doesNotThrow(() => validate([]));
        });

        it("accepts roles and users with paths in every partition", () => {
            assert.doesNotThrow(() =>
                validate([
                    `arn:${AWS}:iam::${ACCOUNT}:role/cloudbreak`,
                    `arn:${AWS}:iam::${ACCOUNT}:role/service/cloudbreak`,
                    `arn:${AWS}:iam::${ACCOUNT}:user/ops/deployer`,
                    `arn:aws-cn:iam::${ACCOUNT}:role/cloudbreak`,
                    `arn:aws-us-gov:iam::${ACCOUNT}:role/cloudbreak`,
                ]),
            );
        });

        it("rejects another account", () => {
            const arn = `arn:${AWS}:iam::${OTHER_ACCOUNT}:role/cloudbreak`;
            assertInvalid(
                () => validate([arn]),
                `Invalid deployerPrincipalArns[0] "${arn}": it must belong to deployerAccountId ${ACCOUNT}, not ${OTHER_ACCOUNT}. ${fix}`,
                "deployerPrincipalArns[0]",
            );
        });

        it("rejects a wildcard", () => {
            const arn = `arn:${AWS}:iam::${ACCOUNT}:role/*`;
            assertInvalid(
                () => validate([arn]),
                `Invalid deployerPrincipalArns[0] "${arn}": a trusted principal may not contain a wildcard. ${fix}`,
                "deployerPrincipalArns[0]",
            );
        });

        for (const arn of [
            `arn:${AWS}:iam::${ACCOUNT}:root`,
            `arn:${AWS}:sts::${ACCOUNT}:assumed-role/cloudbreak/session`,
            `arn:aws-iso:iam::${ACCOUNT}:role/cloudbreak`,
            ACCOUNT,
        ]) {
            it(`rejects ${arn}`, () => {
                assertInvalid(
                    () => validate([arn]),
                    `Invalid deployerPrincipalArns[0] "${arn}": it must be the ARN of an IAM role or user. ${fix}`,
                    "deployerPrincipalArns[0]",
                );
            });
        }

        it("rejects a duplicate", () => {
            const arn = `arn:${AWS}:iam::${ACCOUNT}:role/cloudbreak`;
            assertInvalid(
                () => validate([arn, arn]),
                `Invalid deployerPrincipalArns[1] "${arn}": it repeats an earlier entry. Remove the duplicate`,
                "deployerPrincipalArns[1]",
            );
        });
    });

    describe("parsePolicyArn", () => {
        it("returns the partition of customer and AWS managed policies", () => {
            assert.deepEqual(parsePolicyArn(`arn:${AWS}:iam::${ACCOUNT}:policy/boundary`), { partition: "aws" });
            assert.deepEqual(parsePolicyArn("arn:aws-cn:iam::aws:policy/ReadOnlyAccess"), { partition: "aws-cn" });
            assert.deepEqual(parsePolicyArn("arn:aws-us-gov:iam::aws:policy/service-role/AmazonEC2RoleforSSM"), { partition: "aws-us-gov" });
        });

        it("returns undefined for a role ARN", () => {
            assert.equal(parsePolicyArn(`arn:${AWS}:iam::${ACCOUNT}:role/boundary`), undefined);
        });
    });

    describe("validatePolicyArn", () => {
        const fix = "Use a managed policy ARN such as arn:<partition>:iam::123456789012:policy/cloudbreak-boundary";

        it("accepts customer and AWS managed policies with paths", () => {
            assert.doesNotThrow(() => validatePolicyArn(`arn:${AWS}:iam::${ACCOUNT}:policy/team/boundary`, "permissionsBoundaryArn"));
            assert.doesNotThrow(() => validatePolicyArn(`arn:${AWS}:iam::aws:policy/ReadOnlyAccess`, "permissionsBoundaryArn"));
        });

        for (const arn of [
            "ReadOnlyAccess",
            `arn:${AWS}:iam::${ACCOUNT}:role/boundary`,
            `arn:${AWS}:iam::amazon:policy/ReadOnlyAccess`,
            `arn:${AWS}:iam::${ACCOUNT}:policy/`,
            `arn:${AWS}:iam::${ACCOUNT}:policy/a b`,
        ]) {
            it(`rejects ${JSON.stringify(arn)}`, () => {
                assertInvalid(
                    () => validatePolicyArn(arn, "permissionsBoundaryArn"),
                    `Invalid permissionsBoundaryArn ${JSON.stringify(arn)}: it must be the ARN of an IAM managed policy. ${fix}`,
                    "permissionsBoundaryArn",
                );
            });
        }
    });

    describe("validateManagedPolicyArns", () => {
        const arns = (count: number) => Array.from({ length: count }, (_, index) => `arn:${AWS}:iam::${ACCOUNT}:policy/p${index}`);

        it("accepts 0 and 20 ARNs", () => {
            assert.doesNotThrow(() => validateManagedPolicyArns([], "managedPolicyArns"));
            assert.doesNotThrow(() => validateManagedPolicyArns(arns(20), "managedPolicyArns"));
        });

        it("rejects 21 ARNs", () => {
            assertInvalid(
                () => validateManagedPolicyArns(arns(21), "managedPolicyArns"),
                `Invalid managedPolicyArns ${describeValue(arns(21))}: IAM attaches at most 20 managed policies to a role (10 unless the quota was raised). Merge policies or drop some`,
                "managedPolicyArns",
            );
        });

        it("rejects a duplicate", () => {
            const arn = `arn:${AWS}:iam::aws:policy/ReadOnlyAccess`;
            assertInvalid(
                () => validateManagedPolicyArns([arn, arn], "managedPolicyArns"),
                `Invalid managedPolicyArns[1] "${arn}": it repeats an earlier entry. Remove the duplicate`,
                "managedPolicyArns[1]",
            );
        });

        it("names the invalid entry", () => {
            assert.throws(() => validateManagedPolicyArns(["nope"], "managedPolicyArns"), { input: "managedPolicyArns[0]" });
        });

        it("rejects a plain string", () => {
            assertInvalid(
                () => validateManagedPolicyArns(`arn:${AWS}:iam::aws:policy/ReadOnlyAccess`, "managedPolicyArns"),
                `Invalid managedPolicyArns "arn:${AWS}:iam::aws:policy/ReadOnlyAccess": it must be a list. Give a list of managed policy ARNs`,
                "managedPolicyArns",
            );
        });
    });

    describe("validateTags", () => {
        const fix = "Use letters, digits, spaces and _ . : / = + - @ in tag keys and values";
        const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`k${index}`, "v"]));

        it("accepts 50 tags, key of 128 and value of 256 characters", () => {
            assert.doesNotThrow(() => validateTags(tags(50), "tags"));
            assert.doesNotThrow(() => validateTags({ ["k".repeat(128)]: "v".repeat(256) }, "tags"));
            assert.doesNotThrow(() => validateTags({ "team name": "Données/ops_1.a:b=c+d-e@f", empty: "" }, "tags"));
        });

        it("rejects 51 tags", () => {
            assertInvalid(
                () => validateTags(tags(51), "tags"),
                `Invalid tags ${describeValue(Object.keys(tags(51)))}: IAM allows at most 50 tags on a role. Remove some tags`,
                "tags",
            );
        });

        it("rejects a key of 129 characters", () => {
            const key = "k".repeat(129);
            assertInvalid(() => validateTags({ [key]: "v" }, "tags"), `Invalid tags key ${describeValue(key)}: a tag key has 1 to 128 characters. ${fix}`, "tags key");
        });

        it("rejects an empty key", () => {
            assertInvalid(() => validateTags({ "": "v" }, "tags"), `Invalid tags key "": a tag key has 1 to 128 characters. ${fix}`, "tags key");
        });

        it("rejects a value of 257 characters", () => {
            const value = "v".repeat(257);
            assertInvalid(
                () => validateTags({ team: value }, "tags"),
                `Invalid tags.team ${describeValue(value)}: a tag value has at most 256 characters. ${fix}`,
                "tags.team",
            );
        });

        for (const key of ["aws:team", "AWS:team"]) {
            it(`rejects the key ${key}`, () => {
                assertInvalid(
                    () => validateTags({ [key]: "v" }, "tags"),
                    `Invalid tags key ${JSON.stringify(key)}: the aws: prefix is reserved for AWS. Choose another key`,
                    "tags key",
                );
            });
        }

        it("rejects a key with a comma", () => {
            assertInvalid(
                () => validateTags({ "a,b": "v" }, "tags"),
                `Invalid tags key "a,b": a tag key may contain only letters, digits, spaces and _ . : / = + - @. ${fix}`,
                "tags key",
            );
        });

        it("rejects a value with an asterisk", () => {
            assertInvalid(
                () => validateTags({ team: "a*" }, "tags"),
                `Invalid tags.team "a*": a tag value may contain only letters, digits, spaces and _ . : / = + - @. ${fix}`,
                "tags.team",
            );
        });

        it("rejects a value that is not a string", () => {
            assertInvalid(() => validateTags({ team: 1 }, "tags"), `Invalid tags.team 1: it must be a string. ${fix}`, "tags.team");
        });

        it("rejects a list", () => {
            assertInvalid(() => validateTags(["team=data"], "tags"), `Invalid tags ["team=data"]: it must be a map of tag keys to string values. ${fix}`, "tags");
        });
    });

    describe("validateAllowedRegions", () => {
        const fix = "Use region codes such as eu-west-1, or leave the input unset to allow every region";

        it("accepts commercial, China and GovCloud regions", () => {
            assert.doesNotThrow(() => validateAllowedRegions(["eu-west-1", "ap-southeast-2", "cn-north-1", "us-gov-west-1"], "allowedRegions"));
        });

        for (const region of ["us-iso-east-1", "us-isob-east-1"]) {
            it(`rejects the isolated region ${region}`, () => {
                assertInvalid(
                    () => validateAllowedRegions([region], "allowedRegions"),
                    `Invalid allowedRegions[0] "${region}": regions of the isolated partitions are not supported; the partitions are aws, aws-cn and aws-us-gov. ${fix}`,
                    "allowedRegions[0]",
                );
            });
        }

        it("rejects an empty list", () => {
            assertInvalid(
                () => validateAllowedRegions([], "allowedRegions"),
                `Invalid allowedRegions []: an empty list would deny every regional action. ${fix}`,
                "allowedRegions",
            );
        });

        for (const region of ["EU-WEST-1", "eu-west", "eu-west-1a", "europe"]) {
            it(`rejects ${region}`, () => {
                assertInvalid(
                    () => validateAllowedRegions(["eu-west-1", region], "allowedRegions"),
                    `Invalid allowedRegions[1] "${region}": it is not an AWS region code (lower case, e.g. eu-west-1). ${fix}`,
                    "allowedRegions[1]",
                );
            });
        }

        it("rejects a duplicate", () => {
            assertInvalid(
                () => validateAllowedRegions(["eu-west-1", "eu-west-1"], "allowedRegions"),
                'Invalid allowedRegions[1] "eu-west-1": it repeats an earlier entry. Remove the duplicate',
                "allowedRegions[1]",
            );
        });
    });

    describe("validateCredentialName", () => {
        const fix = "Use lower-case letters, digits and hyphens, starting with a letter, e.g. aws-prod-eu";
        const lengthRule = "Cloudbreak credential names have 5 to 100 characters";
        const patternRule = "Cloudbreak credential names match ^[a-z][-a-z0-9]*[a-z0-9]$";

        it("accepts 5 and 100 characters", () => {
            assert.doesNotThrow(() => validateCredentialName("aws-1", "credentialName"));
            assert.doesNotThrow(() => validateCredentialName("c".repeat(100), "credentialName"));
            assert.doesNotThrow(() => validateCredentialName("cbreak-deployer", "credentialName"));
        });

        it("rejects 4 characters", () => {
            assertInvalid(() => validateCredentialName("awsx", "credentialName"), `Invalid credentialName "awsx": ${lengthRule}. ${fix}`, "credentialName");
        });

        it("rejects 101 characters", () => {
            const value = "c".repeat(101);
            assertInvalid(() => validateCredentialName(value, "credentialName"), `Invalid credentialName ${describeValue(value)}: ${lengthRule}. ${fix}`, "credentialName");
        });

        for (const [value, description] of [
            ["Aws-prod", "upper case"],
            ["aws-prod-", "a trailing hyphen"],
            ["1aws-prod", "a leading digit"],
            ["aws_prod", "an underscore"],
        ] as const) {
            it(`rejects ${description}`, () => {
                assertInvalid(
                    () => validateCredentialName(value, "credentialName"),
                    `Invalid credentialName ${JSON.stringify(value)}: ${patternRule}. ${fix}`,
                    "credentialName",
                );
            });
        }

        it("names a defaulted credential name", () => {
            assertInvalid(
                () => validateCredentialName("Cbreak", { name: "credentialName (defaulted from roleName)" }),
                `Invalid credentialName (defaulted from roleName) "Cbreak": ${patternRule}. ${fix}`,
                "credentialName (defaulted from roleName)",
            );
        });
    });

    describe("isActionPattern", () => {
        it("accepts service:Action with wildcards", () => {
            assert.equal(isActionPattern("ec2:DescribeVpcs"), true);
            assert.equal(isActionPattern("ec2:Describe*"), true);
            assert.equal(isActionPattern("s3:Get?bject"), true);
            assert.equal(isActionPattern("elasticloadbalancing:*"), true);
        });

        it("rejects other text", () => {
            assert.equal(isActionPattern("ec2DescribeVpcs"), false);
            assert.equal(isActionPattern("*"), false);
            assert.equal(isActionPattern("ec2:"), false);
            assert.equal(isActionPattern("ec2:Describe Vpcs"), false);
        });
    });

    describe("validateStatement", () => {
        const fix = 'Write statements as { "Effect": "Allow", "Action": ["ec2:DescribeVpcs"], "Resource": ["*"] }';
        const actionFix = 'Write it as e.g. "ec2:DescribeVpcs" or "ec2:Describe*"';
        const actionRule = "an action has the form service:Action, with * or ? as wildcards";
        const conditionFix = 'Write conditions as { "Operator": { "key": "value" or ["values"] } }';
        const validate = (value: unknown) => validateStatement(value, "additionalStatements[0]");

        it("accepts statements in every allowed form", () => {
            assert.doesNotThrow(() => validate({ Effect: "Allow", Action: "ec2:Describe*", Resource: "*" }));
            assert.doesNotThrow(() => validate({ Sid: "Ssm1", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [`arn:${AWS}:ssm:*:*:parameter/cb/ü`] }));
            assert.doesNotThrow(() => validate({ Effect: "Deny", NotAction: ["iam:*"], NotResource: [`arn:${AWS}:s3:::logs`] }));
            assert.doesNotThrow(() =>
                validate({
                    Effect: "Allow",
                    Action: ["s3:GetObject"],
                    Resource: ["*"],
                    Condition: {
                        StringEquals: { "aws:RequestedRegion": ["eu-west-1", "eu-central-1"] },
                        Bool: { "aws:SecureTransport": true },
                        StringLike: { "s3:prefix": "logs/*" },
                    },
                }),
            );
        });

        it("accepts numbers in conditions", () => {
            assert.doesNotThrow(() =>
                validate({
                    Effect: "Allow",
                    Action: ["sts:AssumeRole"],
                    Resource: ["*"],
                    Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": 3600 }, NumericEquals: { "s3:max-keys": [10, 20] } },
                }),
            );
        });

        it("rejects a NaN condition value", () => {
            assert.throws(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { NumericLessThan: { "aws:MultiFactorAuthAge": Number.NaN } } }),
                { input: "additionalStatements[0].Condition.NumericLessThan.aws:MultiFactorAuthAge" },
            );
        });

        it("rejects a missing Effect", () => {
            assertInvalid(
                () => validate({ Action: ["ec2:DescribeVpcs"], Resource: ["*"] }),
                `Invalid additionalStatements[0].Effect undefined: Effect is Allow or Deny. ${fix}`,
                "additionalStatements[0].Effect",
            );
        });

        it("rejects Effect allow in lower case", () => {
            assert.throws(() => validate({ Effect: "allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }), { input: "additionalStatements[0].Effect" });
        });

        it("rejects both Action and NotAction", () => {
            const statement = { Effect: "Allow", Action: ["ec2:DescribeVpcs"], NotAction: ["iam:*"], Resource: ["*"] };
            assertInvalid(
                () => validate(statement),
                `Invalid additionalStatements[0] ${describeValue(statement)}: a statement has exactly one of Action and NotAction. ${fix}`,
                "additionalStatements[0]",
            );
        });

        it("rejects neither Action nor NotAction", () => {
            assertRejects(() => validate({ Effect: "Allow", Resource: ["*"] }), /^Invalid additionalStatements\[0\] .+: a statement has exactly one of Action and NotAction\. Write statements as .+$/);
        });

        for (const key of ["NotAction", "NotResource"]) {
            it(`rejects Allow with ${key}`, () => {
                const statement = { Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"], [key]: ["s3:GetObject"] };
                if (key === "NotAction") {
                    delete (statement as Record<string, unknown>).Action;
                } else {
                    delete (statement as Record<string, unknown>).Resource;
                }
                const granted = key === "NotAction" ? "actions in Action" : "resources in Resource";
                assertInvalid(
                    () => validate(statement),
                    `Invalid additionalStatements[0].${key} ["s3:GetObject"]: an Allow statement may not use ${key}, because it would grant everything except what it lists. List the granted ${granted}, or make the statement a Deny`,
                    `additionalStatements[0].${key}`,
                );
            });
        }

        it("rejects both Resource and NotResource", () => {
            const statement = { Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"], NotResource: ["*"] };
            assertInvalid(
                () => validate(statement),
                `Invalid additionalStatements[0] ${describeValue(statement)}: a statement has exactly one of Resource and NotResource. ${fix}`,
                "additionalStatements[0]",
            );
        });

        it("rejects a Principal", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Principal: "*", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }),
                'Invalid additionalStatements[0].Principal "*": a permissions policy names no principal. Remove the key',
                "additionalStatements[0].Principal",
            );
        });

        it("rejects a NotPrincipal", () => {
            assert.throws(() => validate({ Effect: "Deny", NotPrincipal: { AWS: "x" }, Action: ["ec2:DescribeVpcs"], Resource: ["*"] }), {
                input: "additionalStatements[0].NotPrincipal",
            });
        });

        it("rejects an unknown key", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Actions: ["ec2:DescribeVpcs"], Resource: ["*"] }),
                'Invalid additionalStatements[0].Actions ["ec2:DescribeVpcs"]: statement keys are Sid, Effect, Action, NotAction, Resource, NotResource, Condition. Remove or rename the key',
                "additionalStatements[0].Actions",
            );
        });

        it("rejects a Sid with a hyphen", () => {
            assertInvalid(
                () => validate({ Sid: "allow-vpcs", Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }),
                'Invalid additionalStatements[0].Sid "allow-vpcs": a Sid may contain only letters and digits. Remove the other characters',
                "additionalStatements[0].Sid",
            );
        });

        it("rejects a Sid that is not a string", () => {
            assertInvalid(
                () => validate({ Sid: 1, Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] }),
                `Invalid additionalStatements[0].Sid 1: it must be a string. ${fix}`,
                "additionalStatements[0].Sid",
            );
        });

        it("rejects an action without a colon", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["ec2:DescribeSubnets", "ec2DescribeVpcs"], Resource: ["*"] }),
                `Invalid additionalStatements[0].Action[1] "ec2DescribeVpcs": ${actionRule}. ${actionFix}`,
                "additionalStatements[0].Action[1]",
            );
        });

        // IAM's grammar accepts "*" alone, but this validator requires service:Action so that
        // every statement names the services it covers.
        it("rejects the action * alone", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: "*", Resource: "*" }),
                `Invalid additionalStatements[0].Action "*": ${actionRule}. ${actionFix}`,
                "additionalStatements[0].Action",
            );
        });

        it("rejects an empty Action list", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: [], Resource: ["*"] }),
                "Invalid additionalStatements[0].Action []: the list must not be empty. Give at least one entry",
                "additionalStatements[0].Action",
            );
        });

        it("rejects an empty Resource list", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: [] }),
                "Invalid additionalStatements[0].Resource []: the list must not be empty. Give at least one entry",
                "additionalStatements[0].Resource",
            );
        });

        it("rejects an empty Resource string", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: "" }),
                'Invalid additionalStatements[0].Resource "": it must not be empty. Use "*" or ARNs',
                "additionalStatements[0].Resource",
            );
        });

        for (const [character, description] of [
            ["€", "the euro sign"],
            ["🚀", "an emoji"],
            ["\u0007", "a control character"],
        ] as const) {
            it(`rejects ${description} in a Resource`, () => {
                const resource = `arn:${AWS}:s3:::bucket${character}`;
                assertInvalid(
                    () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: [resource] }),
                    `Invalid additionalStatements[0].Resource[0] ${JSON.stringify(resource)}: IAM policies accept only tab, line breaks and characters U+0020 to U+00FF. Use "*" or ARNs`,
                    "additionalStatements[0].Resource[0]",
                );
            });
        }

        it("rejects a condition list", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: [] }),
                `Invalid additionalStatements[0].Condition []: a condition must be a map of operators. ${conditionFix}`,
                "additionalStatements[0].Condition",
            );
        });

        it("rejects an operator mapped to a string", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { StringEquals: "eu-west-1" } }),
                `Invalid additionalStatements[0].Condition.StringEquals "eu-west-1": an operator must map condition keys to values. ${conditionFix}`,
                "additionalStatements[0].Condition.StringEquals",
            );
        });

        it("rejects an empty condition value list", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { StringEquals: { "aws:RequestedRegion": [] } } }),
                "Invalid additionalStatements[0].Condition.StringEquals.aws:RequestedRegion []: the list must not be empty. Give at least one entry",
                "additionalStatements[0].Condition.StringEquals.aws:RequestedRegion",
            );
        });

        it("rejects a condition value outside Latin-1", () => {
            assertInvalid(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { StringLike: { "s3:prefix": ["ok", "€"] } } }),
                `Invalid additionalStatements[0].Condition.StringLike.s3:prefix[1] "€": IAM policies accept only tab, line breaks and characters U+0020 to U+00FF. ${conditionFix}`,
                "additionalStatements[0].Condition.StringLike.s3:prefix[1]",
            );
        });

        it("rejects an object as condition value", () => {
            assert.throws(
                () => validate({ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { StringLike: { "s3:prefix": { a: "b" } } } }),
                { input: "additionalStatements[0].Condition.StringLike.s3:prefix" },
            );
        });

        it("rejects a statement that is a string", () => {
            assertInvalid(() => validate("Allow all"), `Invalid additionalStatements[0] "Allow all": a statement must be an object. ${fix}`, "additionalStatements[0]");
        });
    });

    describe("validateStatements", () => {
        it("accepts an empty list", () => {
            assert.doesNotThrow(() => validateStatements([], "additionalStatements"));
        });

        it("names the failing statement", () => {
            assertInvalid(
                () =>
                    validateStatements(
                        [
                            { Effect: "Allow", Action: ["ec2:DescribeVpcs"], Resource: ["*"] },
                            { Effect: "Permit", Action: ["ec2:DescribeVpcs"], Resource: ["*"] },
                        ],
                        "additionalStatements",
                    ),
                'Invalid additionalStatements[1].Effect "Permit": Effect is Allow or Deny. Write statements as { "Effect": "Allow", "Action": ["ec2:DescribeVpcs"], "Resource": ["*"] }',
                "additionalStatements[1].Effect",
            );
        });

        it("rejects an object", () => {
            assertInvalid(
                () => validateStatements({ Effect: "Allow" }, "additionalStatements"),
                'Invalid additionalStatements {"Effect":"Allow"}: it must be a list. Give a list of policy statements',
                "additionalStatements",
            );
        });
    });
});
