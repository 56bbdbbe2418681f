/**
 * The option parser that plan, show and verify share.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

import { OptionSpecs, UsageError, parseOptions, reportUsageError } from "../cli/arguments";

const SPECS = {
    stack: { type: "string", short: "s" },
    "config-file": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
} as const satisfies OptionSpecs;

/** Returns the message of the UsageError that parsing `argv` throws. */
function usageError(argv: string[]): string {
    try {
        parseOptions(argv, SPECS);
    } catch (error) {
        assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
        return error.message;
    }
    assert.fail(`parseOptions accepted ${JSON.stringify(argv)}`);
}

describe("parseOptions", () => {
    it("returns defaults without arguments", () => {
        assert.deepEqual(parseOptions([], SPECS), { stack: undefined, "config-file": undefined, json: false, help: false });
    });

    it("reads values and flags", () => {
        assert.deepEqual(parseOptions(["--stack", "a", "--config-file=Pulumi.b.yaml", "--json"], SPECS), {
            stack: "a",
            "config-file": "Pulumi.b.yaml",
            json: true,
            help: false,
        });
    });

    it("reads short options", () => {
        assert.deepEqual(parseOptions(["-s", "a", "-h"], SPECS), { stack: "a", "config-file": undefined, json: false, help: true });
    });

    it("accepts a value that starts with - after =", () => {
        assert.equal(parseOptions(["--stack=-a"], SPECS).stack, "-a");
    });

    it("rejects a repeated option", () => {
        assert.equal(usageError(["--stack", "a", "--stack", "b"]), "--stack is given twice. Give each option once.");
    });

    it("rejects a repeated option under its short name", () => {
        assert.equal(usageError(["--stack", "a", "-s", "b"]), "--stack is given twice. Give each option once.");
    });

    it("rejects a repeated flag", () => {
        assert.equal(usageError(["--json", "--json"]), "--json is given twice. Give each option once.");
    });

    it("rejects an unknown option", () => {
        assert.equal(usageError(["--verbose"]), 'Unknown option "--verbose".');
    });

    it("rejects an unknown short option", () => {
        assert.equal(usageError(["-x"]), 'Unknown option "-x".');
    });

    it("rejects a missing value", () => {
        assert.equal(usageError(["--stack"]), "Missing value for --stack. Write --stack VALUE, or --stack=VALUE for a value that starts with -.");
    });

    it("rejects an empty value", () => {
        assert.equal(usageError(["--stack="]), "Missing value for --stack. Write --stack VALUE, or --stack=VALUE for a value that starts with -.");
    });

    it("rejects an option as the value", () => {
        assert.equal(usageError(["-s", "--json"]), "Missing value for -s. Write -s VALUE, or --stack=VALUE for a value that starts with -.");
    });

    it("rejects a value on a flag", () => {
        assert.equal(usageError(["--json=yes"]), "--json takes no value.");
    });

    it("rejects a positional argument", () => {
        assert.equal(usageError(["example"]), 'Unexpected argument "example": the command takes options only.');
    });

    it("rejects the option terminator", () => {
        assert.equal(usageError(["--", "--stack"]), 'Unexpected argument "--": the command takes options only.');
    });
});

describe("reportUsageError", () => {
    it("rethrows other errors", () => {
        const error = new Error("boom");

        assert.throws(() => reportUsageError(error, "Usage: test\n"), (thrown) => thrown === error);
    });

    it("prints the message and the usage", () => {
        const written: string[] = [];
        const write = process.stderr.write;
        process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
        let status: number;
        try {
            status = reportUsageError(new UsageError("--stack is given twice. Give each option once."), "Usage: test\n");
        } finally {
            process.stderr.write = write;
        }

        assert.equal(status, 1);
        assert.deepEqual(written, ["--stack is given twice. Give each option once.\n\nUsage: test\n"]);
    });
});

describe("command options", () => {
    const bin = path.join(__dirname, "..", "bin", "cloudbreak-role.js");

    for (const command of ["plan", "show", "verify"]) {
        it(`${command} rejects a repeated --stack`, () => {
            const child = spawnSync(process.execPath, [bin, command, "--stack", "a", "-s", "b"], { encoding: "utf8" });

            assert.equal(child.status, 1);
            assert.equal(child.stdout, "");
            assert.equal(child.stderr.split("\n")[0], "--stack is given twice. Give each option once.");
        });

        it(`${command} documents -s`, () => {
            const child = spawnSync(process.execPath, [bin, command, "--help"], { encoding: "utf8" });

            assert.equal(child.status, 0);
            assert.match(child.stdout, /^ {2}-s, --stack NAME {2,}\S/m);
        });
    }
});
