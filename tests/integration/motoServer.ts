/**
 * Starts and stops a local `moto_server` (the AWS emulator of the Python package moto) on
 * 127.0.0.1 for the integration suite, and runs the CLI and the aws CLI against it.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 30_000;
const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** Returns the path of an executable on PATH, or undefined when there is none. */
export function findOnPath(command: string): string | undefined {
    for (const directory of (process.env.PATH ?? "").split(path.delimiter)) {
        if (directory === "") {
            continue;
        }
        const candidate = path.join(directory, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            return candidate;
        } catch {
            // Not in this directory.
        }
    }
    return undefined;
}

/** Returns a TCP port on 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, HOST, () => {
            const address = server.address() as net.AddressInfo;
            server.close(() => resolve(address.port));
        });
    });
}

function sleep(milliseconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** A running moto_server. */
export interface MotoServer {
    endpoint: string;
    /** Environment for child processes: the endpoint, fake keys and a region, and no other AWS settings. */
    env: NodeJS.ProcessEnv;
    /** Deletes every resource that the server holds. */
    reset(): Promise<void>;
    /** Stops the server and its process group. */
    stop(): Promise<void>;
}

/** The account ID that moto uses when none is configured. */
export const MOTO_ACCOUNT_ID = "123456789012";

/** Credentials that moto accepts; they grant nothing anywhere else. */
export const FAKE_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

export const REGION = "us-east-1";

/**
 * Builds a clean environment for AWS clients: every inherited AWS_ variable is dropped, so no
 * profile or real credential reaches the emulator, and the instance metadata service is off.
 */
function emulatorEnvironment(endpoint: string, scratchDir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) {
        if (!key.startsWith("AWS_")) {
            env[key] = value;
        }
    }
    return {
        ...env,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: path.join(scratchDir, "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(scratchDir, "aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        // The SDK warns on every run that its 2027 releases need Node 22; tests compare stderr.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    };
}

/** Starts `moto_server -H 127.0.0.1 -p <free port>` in its own process group and waits until it responds. */
export async function startMotoServer(scratchDir: string): Promise<MotoServer> {
    const port = await freePort();
    const endpoint = `http://${HOST}:${port}`;
    const child: ChildProcess = spawn("moto_server", ["-H", HOST, "-p", String(port)], {
        detached: true,
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
    });
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    void exit.then(() => {
        exited = true;
    });

    const stop = async () => {
        if (!exited && child.pid !== undefined) {
            process.kill(-child.pid, "SIGTERM");
            await Promise.race([exit, sleep(5000)]);
            if (!exited) {
                process.kill(-child.pid, "SIGKILL");
                await exit;
            }
        }
    };

    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
        if (exited) {
            throw new Error(`moto_server exited before it answered on ${endpoint}: ${stderr}`);
        }
        try {
            await fetch(`${endpoint}/moto-api/`);
            break;
        } catch {
            if (Date.now() > deadline) {
                await stop();
                throw new Error(`moto_server did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms: ${stderr}`);
            }
            await sleep(100);
        }
    }

    return {
        endpoint,
        env: emulatorEnvironment(endpoint, scratchDir),
        reset: async () => {
            const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
            if (!response.ok) {
                throw new Error(`moto_server reset failed with HTTP ${response.status}.`);
            }
        },
        stop,
    };
}

/** The result of a child process. */
export interface RunResult {
    status: number | null;
    stdout: string;
    stderr: string;
}

/** Runs a command to completion and collects its output. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: REPOSITORY_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.once("error", reject);
        child.once("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/** Runs `node bin/cloudbreak-role.js ...` from the repository root. */
export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
    return run(process.execPath, [path.join(REPOSITORY_ROOT, "bin", "cloudbreak-role.js"), ...args], env);
}

/** Creates a scratch directory that `removeScratchDir` deletes. */
export function makeScratchDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "cloudbreak-role-it-"));
}

export function removeScratchDir(directory: string): void {
    fs.rmSync(directory, { recursive: true, force: true });
}
