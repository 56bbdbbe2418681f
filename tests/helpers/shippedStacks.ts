/**
 * The stack files shipped at the repository root (`Pulumi.<stack>.yaml`), read the way the
 * program reads its configuration and built into the documents that `pulumi up` would send.
 */
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";

import { parse } from "yaml";

import { CredentialRoleDocuments, buildCredentialRoleDocuments, resolveCredentialRoleArgs } from "../../components/credentialRole";
import { Partition, partitionOfRegion } from "../../components/policies";
import { CONFIG_NAMESPACE, RawConfigValue, StackSettings, parseStackSettings } from "../../components/stackConfig";

export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");

/** A shipped stack, parsed and built. */
export interface ShippedStack {
    /** The stack name, e.g. `example` for `Pulumi.example.yaml`. */
    stack: string;
    region: string;
    partition: Partition;
    settings: StackSettings;
    documents: CredentialRoleDocuments;
}

/**
 * Converts a stack file's `config` map to the raw values that `pulumi.runtime.allConfig()` returns
 * for the `cloudbreak-role:` namespace: strings as they are, lists as JSON, other scalars as text.
 * A `{ secure: ... }` value is marked secret.
 */
export function rawConfigOf(config: Record<string, unknown>): Record<string, RawConfigValue> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, RawConfigValue> = {};
    for (const [fullKey, value] of Object.entries(config)) {
        if (!fullKey.startsWith(prefix)) {
            continue;
        }
        const key = fullKey.slice(prefix.length);
        if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
            raw[key] = { value: String((value as { secure: unknown }).secure), secret: true };
        } else {
            raw[key] = { value: typeof value === "string" ? value : JSON.stringify(value), secret: false };
        }
    }
    return raw;
}

/** Reads, parses and builds every `Pulumi.<stack>.yaml` at the repository root. */
export function loadShippedStacks(): ShippedStack[] {
    const files = readdirSync(REPOSITORY_ROOT)
        .filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file))
        .sort();
    return files.map((file) => {
        const stack = file.slice("Pulumi.".length, -".yaml".length);
        const content = parse(readFileSync(path.join(REPOSITORY_ROOT, file), "utf8")) as { config?: Record<string, unknown> };
        const config = content.config ?? {};
        const region = String(config["aws:region"]);
        const partition = partitionOfRegion(region);
        const settings = parseStackSettings(stack, rawConfigOf(config), region);
        const resolved = resolveCredentialRoleArgs(settings.args);
        const documents = buildCredentialRoleDocuments({
            resolved,
            partition,
            deployerAccountId: settings.args.deployerAccountId as string,
            externalIds: settings.args.externalIds as string[],
        });
        return { stack, region, partition, settings, documents };
    });
}
