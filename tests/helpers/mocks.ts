/**
 * The shared Pulumi mock setup for this package's tests.
 *
 * Call `await setUpMocks({ accountId, partition })` in `beforeEach`: the first call installs one
 * {@link TestMocks} with `pulumi.runtime.setMocks` (project `cloudbreak-role`, stack `test`, not
 * a preview), and every call clears the recorded resources and sets the mocked account and
 * partition. `outputOf` resolves an Output, and `captureUnhandledRejections` with
 * `pulumiInputError` asserts errors that Pulumi raises while it registers a resource.
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
 * Installs the mocks on the first call and resets them on every call: recorded resources and
 * import IDs are cleared, and the mocked AWS returns the given account and partition.
 * It installs them again when other code (such as the offline `plan` command) has replaced them.
 */
export async function setUpMocks(identity: MockAwsIdentity): Promise<TestMocks> {
    // `mocks` is a field of the SDK's MockMonitor (internal API of @pulumi/pulumi 3.x).
    const monitor = pulumi.runtime.getMonitor() as { mocks?: unknown } | undefined;
    if (installed === undefined) {
        installed = new TestMocks(identity);
    }
    if (monitor?.mocks !== installed) {
        await pulumi.runtime.setMocks(installed, "cloudbreak-role", "test", false);
    }
    installed.reset(identity);
    return installed;
}

/** Resolves an Output to its value, or rejects with the error that the Output failed with. */
export const outputOf = outputValue;

/**
 * Runs `action` and returns the errors that Node reports as unhandled rejections meanwhile.
 *
 * Pulumi raises the error of an Output that feeds a resource input this way, outside any promise
 * that a test can await, and once per dependent input, each time prefixed with
 * `error serializing property "<input>": `. Collection stops `settleMs` after the last
 * rejection. It rejects when none arrives within `timeoutMs`, and with the error of `action`
 * when `action` itself fails.
 *
 * NOTE: outputs of a resource whose registration failed never settle, so do not await them
 * afterwards. At exit the SDK then reports those promises as still active.
 */
export async function captureUnhandledRejections(
    action: () => unknown,
    { timeoutMs = 5000, settleMs = 100 }: { timeoutMs?: number; settleMs?: number } = {},
): Promise<Error[]> {
    const previousListeners = process.listeners("unhandledRejection");
    process.removeAllListeners("unhandledRejection");
    const errors: Error[] = [];
    try {
        return await new Promise<Error[]>((resolve, reject) => {
            let timer = setTimeout(() => reject(new Error(`No unhandled rejection within ${timeoutMs} ms.`)), timeoutMs);
            process.on("unhandledRejection", (reason) => {
                errors.push(reason instanceof Error ? reason : new Error(String(reason)));
                clearTimeout(timer);
                timer = setTimeout(() => resolve(errors), settleMs);
            });
            Promise.resolve()
                .then(action)
                .catch((error: unknown) => {
                    clearTimeout(timer);
                    reject(error);
                });
        });
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
