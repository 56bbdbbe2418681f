/**
 * The shared Pulumi mock setup for this package's tests.
 *
 * Call `await setUpMocks({ accountId, partition })` in `beforeEach`: every call installs the one
 * {@link TestMocks} with `pulumi.runtime.setMocks` (project `cloudbreak-role`, stack `test`, not
 * a preview), which also empties the SDK's queue of pending RPCs, clears the recorded resources and
 * sets the mocked account and partition. `outputOf` resolves an Output, `captureUnhandledRejections`
 * with `pulumiInputError` asserts errors that Pulumi raises while it registers a resource, and
 * `waitForPendingRpcs` and `waitForIdleRuntime` wait until no registration can still arrive.
 */
import * as pulumi from "@pulumi/pulumi";

import { CredentialRoleMocks, MockAwsIdentity, RecordedResource, outputValue } from "../../components/testing";

/** {@link CredentialRoleMocks} that also records the import ID that each resource was registered with. */
export class TestMocks extends CredentialRoleMocks {
    /** Import IDs (the `import` resource option) by logical resource name. */
    readonly importIds = new Map<string, string>();

    override reset(identity?: MockAwsIdentity): void {
        super.reset(identity);
        this.importIds.clear();
    }

    override newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        if (args.id) {
            this.importIds.set(args.name, args.id);
        }
        return super.newResource(args);
    }

    /** Returns the recorded resources of a type, e.g. `aws:iam/role:Role`. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((resource) => resource.type === type);
    }
}

let installed: TestMocks | undefined;

/**
 * Installs the mocks and resets them: recorded resources and import IDs are cleared, and the
 * mocked AWS returns the given account and partition. A fresh SDK monitor on every call drops the
 * RPCs that an earlier test left pending, so {@link waitForPendingRpcs} waits only for this test's.
 */
export async function setUpMocks(identity: MockAwsIdentity): Promise<TestMocks> {
    if (installed === undefined) {
        installed = new TestMocks(identity);
    }
    await pulumi.runtime.setMocks(installed, "cloudbreak-role", "test", false);
    installed.reset(identity);
    return installed;
}

/**
 * Resolves when every RPC that the SDK has started since {@link setUpMocks} has finished, so every
 * registration already under way is recorded by the mocks. It never resolves while a registration
 * waits for an Output that failed: use {@link waitForIdleRuntime} after such a failure.
 *
 * NOTE: `waitForRPCs` is an internal export of @pulumi/pulumi/runtime/settings, checked with
 * @pulumi/pulumi 3.248.
 */
export function waitForPendingRpcs(): Promise<void> {
    return (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/**
 * Resolves after a turn of Node's event loop in which `observe()` did not change, checked with `===`.
 *
 * Pulumi's mock runtime resolves Outputs and registers resources in promise chains, which Node runs
 * to the end before the next turn, and Node reports unhandled rejections within that turn. A turn
 * that changes nothing therefore shows that the runtime has no work left, apart from registrations
 * that wait for an Output that never settles. Mocks that delay their results with timers break
 * this assumption.
 */
export async function waitForIdleRuntime(observe: () => unknown): Promise<void> {
    let before: unknown;
    do {
        before = observe();
        await new Promise<void>((resolve) => setImmediate(resolve));
    } while (observe() !== before);
}

/** Resolves an Output to its value, or rejects with the error that the Output failed with. */
export const outputOf = outputValue;

/**
 * Runs `action` and returns the errors that Node reports as unhandled rejections meanwhile.
 *
 * Pulumi raises the error of an Output that feeds a resource input this way, outside any promise
 * that a test can await, and once per dependent input, each time prefixed with
 * `error serializing property "<input>": `. Collection stops once the first rejection has arrived
 * and the runtime is idle (see {@link waitForIdleRuntime}): a turn of the event loop adds neither a
 * rejection nor a resource that the installed mocks record. `settleMs` (default 0) adds a wait
 * after that, for mocks that delay with timers, and collection then continues until idle again.
 * It rejects when no rejection arrives within `timeoutMs`, and with the error of `action` when
 * `action` itself fails.
 *
 * NOTE: outputs of a resource whose registration failed never settle, so do not await them
 * afterwards. At exit the SDK then reports those promises as still active.
 */
export async function captureUnhandledRejections(
    action: () => unknown,
    { timeoutMs = 5000, settleMs = 0 }: { timeoutMs?: number; settleMs?: number } = {},
): Promise<Error[]> {
    const previousListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const errors: Error[] = [];
    const progress = () => `${errors.length} errors, ${installed?.resources.length ?? 0} resources`;
    try {
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`No unhandled rejection within ${timeoutMs} ms.`)), timeoutMs);
            process.on("unhandledRejection", (reason) => {
                errors.push(reason instanceof Error ? reason : new Error(String(reason)));
                clearTimeout(timer);
                resolve();
            });
            Promise.resolve()
                .then(action)
                .catch((error: unknown) => {
                    clearTimeout(timer);
                    reject(error);
                });
        });
        await waitForIdleRuntime(progress);
        if (settleMs > 0) {
            await new Promise((resolve) => setTimeout(resolve, settleMs));
            await waitForIdleRuntime(progress);
        }
        return errors;
    } finally {
        process.removeAllListeners("unhandledRejection");
        previousListeners.forEach((listener) => process.on("unhandledRejection", listener));
    }
}

/**
 * Returns a regular expression that matches `message` exactly, after any number of the
 * `error serializing property "<input>": ` prefixes that Pulumi adds to an input's error.
 */
export function pulumiInputError(message: string): RegExp {
    const escaped = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^(?:error serializing property "[^"]+": )*${escaped}$`);
}
