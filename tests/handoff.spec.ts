import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";

import { buildCloudbreakCredential, shellQuote, springShellQuote } from "../components/handoff";
import { Partition } from "../components/policies";

const ACCOUNT = "123456789012";

function roleArn(partition: Partition, path = "/"): string {
    return `arn:${partition}:iam::${ACCOUNT}:role${path}cbreak-deployer`;
}

/**
 * Runs a command line in bash with its first `words` words replaced by `printf '%s\0'`, and
 * returns the arguments that bash passed, one per element.
 */
function shellArguments(commandLine: string, words: number): string[] {
    const parts = commandLine.split(" ");
    const script = `printf '%s\\0' ${parts.slice(words).join(" ")}`;
    const output = execFileSync("bash", ["-c", script], { encoding: "utf8" });
    return output.slice(0, -1).split("\0");
}

describe("handoff", () => {
    describe("buildCloudbreakCredential", () => {
        it("builds every request in aws", () => {
            const arn = roleArn("aws");
            assert.deepStrictEqual(buildCloudbreakCredential({ name: "cbreak-deployer", roleArn: arn, partition: "aws" }), {
                name: "cbreak-deployer",
                roleArn: arn,
                govCloud: false,
                restV1: {
                    method: "POST",
                    path: "/cb/api/v1/credentials/user",
                    body: { name: "cbreak-deployer", cloudPlatform: "AWS", parameters: { selector: "role-based", roleArn: arn } },
                },
                restV3: {
                    method: "POST",
                    path: "/cb/api/v3/{workspaceId}/credentials",
                    body: { name: "cbreak-deployer", cloudPlatform: "AWS", parameters: { selector: "role-based", roleArn: arn, govCloud: false } },
                },
                cbCli: `cb credential create aws role-based --name 'cbreak-deployer' --role-arn '${arn}'`,
                cloudbreakShell: `credential create --AWS --name "cbreak-deployer" --roleArn "${arn}"`,
                cdpCli: `cdp environments create-aws-credential --credential-name 'cbreak-deployer' --role-arn '${arn}'`,
            });
        });

        it("builds every request in aws-us-gov", () => {
            const arn = roleArn("aws-us-gov");
            assert.deepStrictEqual(buildCloudbreakCredential({ name: "gov-prod", roleArn: arn, partition: "aws-us-gov" }), {
                name: "gov-prod",
                roleArn: arn,
                govCloud: true,
                restV1: {
                    method: "POST",
                    path: "/cb/api/v1/credentials/user",
                    body: { name: "gov-prod", cloudPlatform: "AWS", parameters: { selector: "role-based", roleArn: arn, govCloud: true } },
                },
                restV3: {
                    method: "POST",
                    path: "/cb/api/v3/{workspaceId}/credentials",
                    body: { name: "gov-prod", cloudPlatform: "AWS", parameters: { selector: "role-based", roleArn: arn, govCloud: true } },
                },
                cbCli: `cb credential create aws-gov role-based --name 'gov-prod' --role-arn '${arn}'`,
                cloudbreakShell: `credential create --AWS --name "gov-prod" --roleArn "${arn}"`,
                cdpCli: `cdp environments create-aws-gov-cloud-credential --credential-name 'gov-prod' --role-arn '${arn}'`,
            });
        });

        it("treats aws-cn as a commercial credential", () => {
            const credential = buildCloudbreakCredential({ name: "china-prod", roleArn: roleArn("aws-cn"), partition: "aws-cn" });
            assert.equal(credential.govCloud, false);
            assert.deepStrictEqual(credential.restV1.body.parameters, { selector: "role-based", roleArn: roleArn("aws-cn") });
            assert.equal(credential.cdpCli.startsWith("cdp environments create-aws-credential "), true);
        });
    });

    describe("shell quoting", () => {
        const name = `it's "q" \\ $(echo injected) \`echo ticks\` $HOME`;
        const arn = roleArn("aws", "/q'\"\\$(id)/");

        it("passes the cb CLI arguments intact", () => {
            const credential = buildCloudbreakCredential({ name, roleArn: arn, partition: "aws" });
            assert.deepStrictEqual(shellArguments(credential.cbCli, 1), ["credential", "create", "aws", "role-based", "--name", name, "--role-arn", arn]);
        });

        it("passes the cdp CLI arguments intact", () => {
            const credential = buildCloudbreakCredential({ name, roleArn: arn, partition: "aws-us-gov" });
            assert.deepStrictEqual(shellArguments(credential.cdpCli, 1), [
                "environments",
                "create-aws-gov-cloud-credential",
                "--credential-name",
                name,
                "--role-arn",
                arn,
            ]);
        });

        it("keeps a line break inside one argument", () => {
            assert.deepStrictEqual(shellArguments(`x ${shellQuote("a\nb")} ${shellQuote("")}`, 1), ["a\nb", ""]);
            assert.equal(shellQuote("a\nb"), "'a\nb'");
        });

        it("writes a single quote as '\\''", () => {
            assert.equal(shellQuote("it's"), `'it'\\''s'`);
        });

        it("escapes backslash and double quote for the cloudbreak-shell", () => {
            assert.equal(springShellQuote(`a\\b"c`), `"a\\\\b\\"c"`);
            const credential = buildCloudbreakCredential({ name: `say "hi"`, roleArn: roleArn("aws"), partition: "aws" });
            assert.equal(credential.cloudbreakShell, `credential create --AWS --name "say \\"hi\\"" --roleArn "${roleArn("aws")}"`);
        });
    });
});
