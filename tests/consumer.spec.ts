/**
 * The package as a consumer installs it. The suite packs a copy of the repository with `npm pack`
 * and installs the tarball and its peer dependencies into a fresh project from the local npm
 * cache. That project's `tsc` compiles a consumer against the shipped declarations, and plain
 * `node` runs it under Pulumi mocks.
 *
 * The consumer sources in tests/consumer/ end in `.fixture` because this repository's tsconfig
 * type-checks tests/**\/*.ts, where `cloudbreak-role` does not resolve; they are copied to `.ts`.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "consumer");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

/** npm error codes that mean the cache or the registry is unavailable, not that the package is wrong. */
const UNAVAILABLE_CODES = ["ENOTCACHED", "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT"];

/** Files that every tarball must contain. */
const REQUIRED_FILES = [
    "package.json",
    "README.md",
    "Pulumi.yaml",
    "bin/cloudbreak-role.js",
    "dist/index.js",
    "dist/cli/main.js",
    "dist/components/index.js",
    "dist/components/index.d.ts",
    "dist/components/testing.js",
    "dist/components/testing.d.ts",
];

/** Paths that `files` in package.json lets into the tarball; npm always adds LICENSE when present. */
const ALLOWED_PATHS = [
    /^package\.json$/,
    /^README\.md$/,
    /^LICENSE$/,
    /^Pulumi\.yaml$/,
    /^bin\/cloudbreak-role\.js$/,
    /^dist\/index\.(js|d\.ts|js\.map)$/,
    /^dist\/(components|cli)\/[A-Za-z]+\.(js|d\.ts|js\.map)$/,
];

interface CommandResult {
    stdout: string;
    stderr: string;
}

/** Runs a command and rejects with its output when it exits with a non-zero status. */
async function run(command: string, args: string[], cwd: string): Promise<CommandResult> {
    try {
        return await execFileAsync(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
        const failed = error as Error & { stdout?: string; stderr?: string };
        throw new Error(`${command} ${args.join(" ")} failed in ${cwd}:\n${failed.stderr ?? ""}${failed.stdout ?? ""}`);
    }
}

/** Returns the version of a package installed in this repository. */
function installedVersion(name: string): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", name, "package.json"), "utf8"));
    return manifest.version as string;
}

/** Copies the repository without node_modules, .git and dist, and links its node_modules for the build. */
function stageRepository(destination: string): void {
    fs.cpSync(ROOT, destination, {
        recursive: true,
        filter: (source) => !/^(node_modules|\.git|dist)(\/|$)/.test(path.relative(ROOT, source)),
    });
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(destination, "node_modules"), "dir");
}

/**
 * Installs packages from the npm cache: `--offline` first, then `--prefer-offline`. Returns the
 * mode that worked, or undefined when both failed because the cache or the registry is unavailable.
 */
async function installFromCache(projectDir: string, packages: string[]): Promise<{ mode?: string; error?: string }> {
    let lastError = "";
    for (const mode of ["--offline", "--prefer-offline"]) {
        try {
            await run(NPM, ["install", mode, "--no-audit", "--no-fund", ...packages], projectDir);
            return { mode };
        } catch (error) {
            lastError = (error as Error).message;
            const code = /npm error code (\w+)/.exec(lastError)?.[1];
            if (code === undefined || !UNAVAILABLE_CODES.includes(code)) {
                throw error;
            }
        }
    }
    return { error: lastError };
}

describe("published package", function () {
    let workDir: string;
    let consumerDir: string;
    let tarballFiles: string[];
    let packageDir: string;

    before(async function () {
        this.timeout(180_000);
        workDir = fs.mkdtempSync(path.join(os.tmpdir(), "cloudbreak-role-consumer-"));

        // `npm pack` runs the prepack script, which cleans dist/ and builds it in the copy.
        const stageDir = path.join(workDir, "stage");
        stageRepository(stageDir);
        const packed = await run(NPM, ["pack", "--silent", "--pack-destination", workDir], stageDir);
        const tarball = path.join(workDir, packed.stdout.trim().split("\n").pop() as string);
        const listing = await run("tar", ["-tzf", tarball], workDir);
        tarballFiles = listing.stdout
            .trim()
            .split("\n")
            .map((entry) => entry.replace(/^package\//, ""))
            .sort();

        consumerDir = path.join(workDir, "consumer");
        fs.mkdirSync(consumerDir);
        fs.writeFileSync(
            path.join(consumerDir, "package.json"),
            `${JSON.stringify({ name: "consumer", version: "1.0.0", private: true }, null, 2)}\n`,
        );
        const installed = await installFromCache(consumerDir, [
            tarball,
            `@pulumi/pulumi@${installedVersion("@pulumi/pulumi")}`,
            `@pulumi/aws@${installedVersion("@pulumi/aws")}`,
            `typescript@${installedVersion("typescript")}`,
        ]);
        if (installed.mode === undefined) {
            process.stderr.write(`Skipping the consumer tests: the npm cache and the registry are unavailable.\n${installed.error}\n`);
            this.skip();
        }
        packageDir = path.join(consumerDir, "node_modules", "cloudbreak-role");

        for (const name of fs.readdirSync(FIXTURES)) {
            fs.copyFileSync(path.join(FIXTURES, name), path.join(consumerDir, name.replace(/\.fixture$/, "")));
        }
        await run(process.execPath, [path.join(consumerDir, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], consumerDir);
    });

    after(function () {
        if (workDir) {
            fs.rmSync(workDir, { recursive: true, force: true });
        }
    });

    it("tarball contains only published files", function () {
        const unexpected = tarballFiles.filter((file) => !ALLOWED_PATHS.some((pattern) => pattern.test(file)));
        assert.deepStrictEqual(unexpected, []);
        const missing = REQUIRED_FILES.filter((file) => !tarballFiles.includes(file));
        assert.deepStrictEqual(missing, []);
    });

    it("tarball ships a declaration and a map per module", function () {
        const modules = tarballFiles.filter((file) => file.startsWith("dist/") && file.endsWith(".js"));
        const incomplete = modules.filter(
            (file) => !tarballFiles.includes(file.replace(/\.js$/, ".d.ts")) || !tarballFiles.includes(`${file}.map`),
        );
        assert.deepStrictEqual(incomplete, []);
    });

    it("source maps embed their sources", function () {
        const maps = tarballFiles.filter((file) => file.endsWith(".js.map"));
        assert.notStrictEqual(maps.length, 0);
        for (const file of maps) {
            const map = JSON.parse(fs.readFileSync(path.join(packageDir, file), "utf8")) as {
                sources: string[];
                sourcesContent?: (string | null)[];
            };
            assert.strictEqual(map.sourcesContent?.length, map.sources.length, `${file} lacks sourcesContent`);
            assert.ok(
                map.sourcesContent.every((content) => typeof content === "string" && content.length > 0),
                `${file} has an empty source`,
            );
        }
    });

    it("declarations compile with node16 resolution", async function () {
        const tsc = path.join(consumerDir, "node_modules", "typescript", "bin", "tsc");
        const result = await run(process.execPath, [tsc, "-p", "tsconfig.node16.json"], consumerDir);
        assert.strictEqual(result.stdout, "");
    });

    it("import registers no resource", async function () {
        const result = await run(process.execPath, [path.join("bin", "imports.js")], consumerDir);
        assert.deepStrictEqual(JSON.parse(result.stdout), {
            exports: { library: "function", testing: "function" },
            registered: [],
        });
    });

    it("roles take each provider's partition", async function () {
        const result = await run(process.execPath, [path.join("bin", "index.js")], consumerDir);
        const output = JSON.parse(result.stdout) as { roleArns: Record<string, string>; resources: string[] };

        const accounts = [
            { provider: "commercial", partition: "aws", accountId: "111111111111" },
            { provider: "china", partition: "aws-cn", accountId: "222222222222" },
            { provider: "govcloud", partition: "aws-us-gov", accountId: "333333333333" },
        ];
        assert.deepStrictEqual(
            output.roleArns,
            Object.fromEntries(
                accounts.map(({ provider, partition, accountId }) => [provider, `arn:${partition}:iam::${accountId}:role/cbreak-deployer`]),
            ),
        );
        const expectedResources = accounts.flatMap(({ provider }) => [
            `pulumi:providers:aws ${provider}`,
            `cloudbreak:aws:CredentialRole cloudbreak-${provider}`,
            `aws:iam/role:Role cloudbreak-${provider}-role`,
            `aws:iam/rolePolicy:RolePolicy cloudbreak-${provider}-policy`,
            `aws:iam/rolePoliciesExclusive:RolePoliciesExclusive cloudbreak-${provider}-inline-policies`,
            `aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive cloudbreak-${provider}-policy-attachments`,
        ]);
        assert.deepStrictEqual(output.resources, expectedResources.sort());
    });

    it("plans a stack with the compiled program", async function () {
        const stackFile = path.join(consumerDir, "Pulumi.acct.yaml");
        fs.copyFileSync(path.join(ROOT, "Pulumi.example.yaml"), stackFile);
        const result = await run(path.join(consumerDir, "node_modules", ".bin", "cloudbreak-role"), ["plan", "--config-file", stackFile, "--json"], consumerDir);
        const partition = "aws";
        assert.strictEqual(JSON.parse(result.stdout).outputs.roleArn, `arn:${partition}:iam::111122223333:role/cbreak-deployer`);
    });

    it("bin runs the compiled CLI", async function () {
        const result = await run(path.join(consumerDir, "node_modules", ".bin", "cloudbreak-role"), ["--help"], consumerDir);
        assert.strictEqual(result.stdout.split("\n")[0], "Usage: cloudbreak-role <command> [options]");
    });
});
