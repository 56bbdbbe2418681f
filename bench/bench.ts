/**
 * `npm run bench`: times the offline plan against a floor, in fresh node processes.
 *
 * - floor: load @pulumi/pulumi and @pulumi/aws and register an aws.iam.Role and an
 *   aws.iam.RolePolicy under mocks, the least that any offline evaluation of this role costs;
 * - plan for one stack, and `plan --all` for 10, 100 and 1,000 generated stacks;
 * - plan for one stack with an empty transpile cache;
 * - plan for one stack with ts-node type-checking and without (transpile-only).
 *
 * Each case runs RUNS times and reports the median wall time and the peak resident memory that
 * the child process reports (`process.resourceUsage().maxRSS`). Generated files go to `.bench/`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const WORK = path.join(ROOT, ".bench");
const BIN = path.join(ROOT, "bin", "cloudbreak-role.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STACK_COUNTS = [10, 100, 1000];
const TRANSPILE_CACHE = path.join(ROOT, "node_modules", ".cache", "cloudbreak-role");

interface Measurement {
    label: string;
    seconds: number;
    maxRssMb: number;
    stacks?: number;
}

/** Preloaded into each child: writes the peak resident memory to the file in BENCH_RSS_FILE at exit. */
const RSS_REPORTER = `"use strict";
process.on("exit", () => {
    require("node:fs").writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
`;

/** The floor: two raw IAM resources under mocks, with nothing of this package loaded. */
const FLOOR_SCRIPT = `"use strict";
const pulumi = require("@pulumi/pulumi");
const aws = require("@pulumi/aws");
const mocks = {
    newResource: (args) => ({ id: args.name + "-id", state: { ...args.inputs, arn: "arn:" + "aws:iam::111122223333:role/" + args.name } }),
    call: () => ({}),
};
pulumi.runtime.setMocks(mocks, "floor", "floor", false).then(async () => {
    const outputs = await pulumi.runtime.runInPulumiStack(async () => {
        const role = new aws.iam.Role("role", { name: "cbreak-deployer", assumeRolePolicy: "{}" });
        const policy = new aws.iam.RolePolicy("policy", { role: role.name, name: "cb-policy", policy: "{}" });
        return { arn: role.arn, policyId: policy.id };
    });
    process.stdout.write(JSON.stringify(outputs) + "\\n");
});
`;

/** Runs the plan command in-process with ts-node type-checking on or off. */
function tsNodeScript(typeCheck: boolean): string {
    return `"use strict";
require(${JSON.stringify(require.resolve("ts-node"))}).register({ transpileOnly: ${!typeCheck}, project: ${JSON.stringify(path.join(ROOT, "tsconfig.json"))} });
require(${JSON.stringify(path.join(ROOT, "cli", "main.ts"))}).main(["plan", "--stack", "example", "--cwd", ${JSON.stringify(ROOT)}]).then((status) => process.exit(status));
`;
}

function writeFile(file: string, text: string): string {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
}

/** Writes a project with `count` stacks that differ in account, external ID, role name and preset. */
function generateProject(count: number): string {
    const dir = path.join(WORK, `stacks-${count}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const project = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8").replace(/^main: .*$/m, `main: ${path.join(ROOT, "index.ts")}`);
    writeFile(path.join(dir, "Pulumi.yaml"), project);
    const presets = ["cloudbreak-1", "cloudbreak-2", "cdp"];
    for (let index = 0; index < count; index++) {
        const accountId = String(100000000000 + index);
        const stack = `account-${String(index).padStart(4, "0")}`;
        writeFile(
            path.join(dir, `Pulumi.${stack}.yaml`),
            [
                "config:",
                "  aws:region: eu-west-1",
                `  cloudbreak-role:accountId: "${accountId}"`,
                '  cloudbreak-role:deployerAccountId: "444455556666"',
                "  cloudbreak-role:externalIds:",
                `    - tenant-${index}-external-id`,
                `  cloudbreak-role:roleName: cb-role-${index}`,
                `  cloudbreak-role:policy: ${presets[index % presets.length]}`,
                "",
            ].join("\n"),
        );
    }
    return dir;
}

/** Runs a node child RUNS times and returns the median wall time and the largest peak memory. */
function measure(label: string, args: string[], cwd: string, stacks?: number, prepare?: () => void): Measurement {
    const rssFile = path.join(WORK, "rss");
    const reporter = path.join(WORK, "rss-reporter.js");
    const times: number[] = [];
    let maxRss = 0;
    for (let run = 0; run < RUNS; run++) {
        prepare?.();
        const started = process.hrtime.bigint();
        const child = spawnSync(process.execPath, ["--require", reporter, ...args], {
            cwd,
            env: { ...process.env, BENCH_RSS_FILE: rssFile },
            encoding: "utf8",
            maxBuffer: 1 << 30,
        });
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (child.status !== 0) {
            throw new Error(`${label} failed with status ${child.status}: ${child.stderr.slice(0, 2000)}`);
        }
        times.push(seconds);
        maxRss = Math.max(maxRss, Number(fs.readFileSync(rssFile, "utf8")) / 1024);
    }
    times.sort((a, b) => a - b);
    const measurement = { label, seconds: times[Math.floor(times.length / 2)], maxRssMb: maxRss, stacks };
    process.stderr.write(`${label}: ${measurement.seconds.toFixed(3)} s, ${measurement.maxRssMb.toFixed(0)} MB\n`);
    return measurement;
}

function main(): void {
    fs.mkdirSync(WORK, { recursive: true });
    writeFile(path.join(WORK, "rss-reporter.js"), RSS_REPORTER);
    const floorScript = writeFile(path.join(WORK, "floor.js"), FLOOR_SCRIPT);
    const typeCheckScript = writeFile(path.join(WORK, "plan-typecheck.js"), tsNodeScript(true));
    const transpileScript = writeFile(path.join(WORK, "plan-transpile-only.js"), tsNodeScript(false));
    const projects = new Map(STACK_COUNTS.map((count) => [count, generateProject(count)]));

    const floor = measure("floor: Role + RolePolicy under mocks", [floorScript], ROOT);
    const rows: Measurement[] = [floor, measure("plan --stack example", [BIN, "plan", "--stack", "example"], ROOT, 1)];
    // The first run after a source change transpiles every .ts file again.
    const cold = measure("plan --stack example, empty transpile cache", [BIN, "plan", "--stack", "example"], ROOT, undefined, () =>
        fs.rmSync(TRANSPILE_CACHE, { recursive: true, force: true }),
    );
    for (const [count, dir] of projects) {
        rows.push(measure(`plan --all (${count} stacks)`, [BIN, "plan", "--all", "--json"], dir, count));
    }
    const typeCheck = measure("plan --stack example, ts-node type-checking", [typeCheckScript], ROOT);
    const transpileOnly = measure("plan --stack example, ts-node transpile-only", [transpileScript], ROOT);

    const one = rows[1];
    const lines = [
        `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`,
        `Date: ${new Date().toISOString()}; median of ${RUNS} runs per case; memory is the child's peak RSS.`,
        "",
        "| Case | Time (s) | Ratio to floor | Cost per extra stack (ms) | Peak RSS (MB) |",
        "| --- | ---: | ---: | ---: | ---: |",
        ...rows.map((row) => {
            const perStack = row.stacks !== undefined && row.stacks > 1 ? (((row.seconds - one.seconds) / (row.stacks - 1)) * 1000).toFixed(2) : "";
            return `| ${row.label} | ${row.seconds.toFixed(3)} | ${(row.seconds / floor.seconds).toFixed(2)}x | ${perStack} | ${row.maxRssMb.toFixed(0)} |`;
        }),
        "",
        `Empty transpile cache (first run after a source change): ${cold.seconds.toFixed(3)} s, ${(cold.seconds / floor.seconds).toFixed(2)}x the floor, ${cold.maxRssMb.toFixed(0)} MB`,
        `ts-node type-checking vs transpile-only for plan --stack example: ${typeCheck.seconds.toFixed(3)} s vs ${transpileOnly.seconds.toFixed(3)} s, ratio ${(typeCheck.seconds / transpileOnly.seconds).toFixed(2)}x; peak RSS ${typeCheck.maxRssMb.toFixed(0)} MB vs ${transpileOnly.maxRssMb.toFixed(0)} MB`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
}

main();
