/**
 * The stack configuration of the cloudbreak-role program: one stack describes one end-user
 * account. Keys live under the `cloudbreak-role:` namespace and are declared in `Pulumi.yaml`.
 */
import { CloudbreakCredentialRoleArgs } from "./credentialRole";
import { Partition, PolicyPreset, partitionOfRegion } from "./policies";
import { resolveCredentialRoleArgs } from "./resolveArgs";
import { InputLabel, ValidationError, fail, validateRegion, validateTags } from "./validation";

export const CONFIG_NAMESPACE = "cloudbreak-role";

/** A config key's type as `Pulumi.yaml` declares it. */
export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

export interface ConfigKeySpec {
    type: ConfigKeyType;
    required?: boolean;
}

/** Every key that the program reads; `Pulumi.yaml` declares the same keys with these types. */
export const CONFIG_KEYS: Readonly<Record<string, ConfigKeySpec>> = {
    accountId: { type: "string", required: true },
    deployerAccountId: { type: "string", required: true },
    deployerPrincipalArns: { type: "array" },
    externalIds: { type: "array", required: true },
    roleName: { type: "string" },
    path: { type: "string" },
    description: { type: "string" },
    policy: { type: "string" },
    permissionsBoundaryArn: { type: "string" },
    maxSessionDurationSeconds: { type: "integer" },
    managedPolicyArns: { type: "array" },
    tags: { type: "array" },
    credentialName: { type: "string" },
    allowedRegions: { type: "array" },
    adoptExisting: { type: "boolean" },
    exclusivePolicyManagement: { type: "boolean" },
};

/**
 * Optional keys whose `Pulumi.yaml` default is empty, because the Pulumi CLI requires a value for
 * every declared key without a default. An empty string or list there means unset.
 */
export const EMPTY_MEANS_UNSET: readonly string[] = ["description", "permissionsBoundaryArn", "credentialName", "allowedRegions"];

/** One config value as the Pulumi runtime stores it: a string (JSON for lists) and whether it is secret. */
export interface RawConfigValue {
    value: string;
    secret: boolean;
}

/** The program's settings, parsed and validated. */
export interface StackSettings {
    /** The end-user account that this stack describes. */
    accountId: string;
    /** The component's arguments. */
    args: CloudbreakCredentialRoleArgs;
    /** True when `externalIds` is a secret; the program then passes them as a secret Output. */
    externalIdsSecret: boolean;
}

function parseValue(label: InputLabel, spec: ConfigKeySpec, raw: string): unknown {
    switch (spec.type) {
        case "string":
            return raw;
        case "integer": {
            const value = Number(raw);
            if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
                fail(label, raw, "it must be a whole number", "Write it without quotes, e.g. 3600");
            }
            return value;
        }
        case "boolean":
            if (raw !== "true" && raw !== "false") {
                fail(label, raw, "it must be true or false", "Write true or false without quotes");
            }
            return raw === "true";
        case "array": {
            let value: unknown;
            try {
                value = JSON.parse(raw);
            } catch {
                value = raw;
            }
            if (!Array.isArray(value)) {
                fail(label, value, "it must be a list", "Write it as a YAML list, e.g. [\"value\"] or one '- value' line per entry");
            }
            return value;
        }
    }
}

/** Parses `Key=Value` tag entries into a map; the key ends at the first `=`. */
export function parseTagEntries(entries: unknown[], label: InputLabel): Record<string, string> {
    // A Map, because `key in {}` is true for Object members such as `constructor` and `__proto__`.
    const tags = new Map<string, string>();
    entries.forEach((entry, index) => {
        const entryLabel = { ...label, name: `${label.name}[${index}]` };
        if (typeof entry !== "string" || !entry.includes("=")) {
            fail(entryLabel, entry, "a tag entry has the form Key=Value", 'Write it as e.g. "team=data-platform"');
        }
        const separator = entry.indexOf("=");
        const key = entry.slice(0, separator);
        if (tags.has(key)) {
            fail(entryLabel, entry, `the tag key ${JSON.stringify(key)} appears twice`, "Keep one entry per key");
        }
        tags.set(key, entry.slice(separator + 1));
    });
    const record = Object.fromEntries(tags);
    validateTags(record, label);
    return record;
}

/**
 * Parses and validates the program's configuration. `config` maps keys without namespace to
 * their raw values; `region` is `aws:region` when set. Errors name the stack, the key, the value
 * and the rule.
 */
export function parseStackSettings(
    stack: string,
    config: Readonly<Record<string, RawConfigValue>>,
    region?: string,
    allKeys: readonly string[] = [],
): StackSettings {
    try {
        rejectMisspelledNamespaces(allKeys);
        if (region !== undefined) {
            validateRegion(region, "aws:region");
        }
        return parseSettings(config, region);
    } catch (error) {
        if (error instanceof ValidationError) {
            throw new ValidationError(error.input, `Stack ${stack}: ${error.message}`);
        }
        throw error;
    }
}

/**
 * Rejects keys whose namespace is a misspelling of `cloudbreak-role`, such as `cloudbreak_role:`,
 * because the program would ignore them and, for example, trust the whole deployer account.
 */
function rejectMisspelledNamespaces(allKeys: readonly string[]): void {
    for (const fullKey of allKeys) {
        const separator = fullKey.indexOf(":");
        const namespace = separator < 0 ? "" : fullKey.slice(0, separator);
        if (namespace !== CONFIG_NAMESPACE && namespace.toLowerCase().replace(/[^a-z]/g, "") === "cloudbreakrole") {
            throw new ValidationError(
                fullKey,
                `Invalid config key ${fullKey}: the namespace ${namespace} is not ${CONFIG_NAMESPACE}, so the program would ignore the key. Rename it to ${CONFIG_NAMESPACE}:${fullKey.slice(separator + 1)}.`,
            );
        }
    }
}

function parseSettings(config: Readonly<Record<string, RawConfigValue>>, region?: string): StackSettings {
    const known = Object.keys(CONFIG_KEYS);
    for (const key of Object.keys(config)) {
        // hasOwn, because `in` is also true for Object members such as `constructor`.
        if (!Object.hasOwn(CONFIG_KEYS, key)) {
            const suggestion = known.find((name) => name.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(name.toLowerCase()));
            fail(
                { name: `${CONFIG_NAMESPACE}:${key}`, secret: config[key].secret },
                config[key].value,
                "the program does not know this key",
                suggestion ? `Did you mean ${CONFIG_NAMESPACE}:${suggestion}? The keys are listed in Pulumi.yaml` : `The known keys are ${known.join(", ")}`,
            );
        }
    }

    const values: Record<string, unknown> = {};
    const labels: Record<string, InputLabel> = {};
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
        const label = { name: `${CONFIG_NAMESPACE}:${key}`, secret: config[key]?.secret ?? false };
        labels[key] = label;
        if (config[key] === undefined) {
            if (spec.required) {
                throw new ValidationError(label.name, `Missing ${label.name}: this key is required. Set it with \`pulumi config set ${label.name} ...\` or in the stack file.`);
            }
            continue;
        }
        const value = parseValue(label, spec, config[key].value);
        const isEmpty = value === "" || (Array.isArray(value) && value.length === 0);
        if (!(isEmpty && EMPTY_MEANS_UNSET.includes(key))) {
            values[key] = value;
        }
    }

    if (labels.description.secret && values.description !== undefined) {
        throw new ValidationError(
            labels.description.name,
            `Invalid ${labels.description.name} [secret]: a role description is readable by anyone who may call iam:GetRole, so it cannot be kept secret. Store it in plain text (pulumi config set without --secret).`,
        );
    }

    const tags = values.tags === undefined ? undefined : parseTagEntries(values.tags as unknown[], labels.tags);

    const partition: Partition | undefined = region ? partitionOfRegion(region) : undefined;
    const args: CloudbreakCredentialRoleArgs = {
        accountId: values.accountId as string,
        deployerAccountId: values.deployerAccountId as string,
        deployerPrincipalArns: values.deployerPrincipalArns as string[] | undefined,
        externalIds: values.externalIds as string[],
        roleName: values.roleName as string | undefined,
        path: values.path as string | undefined,
        description: values.description as string | undefined,
        policy: values.policy as PolicyPreset | undefined,
        permissionsBoundaryArn: values.permissionsBoundaryArn as string | undefined,
        maxSessionDurationSeconds: values.maxSessionDurationSeconds as number | undefined,
        managedPolicyArns: values.managedPolicyArns as string[] | undefined,
        tags,
        credentialName: values.credentialName as string | undefined,
        allowedRegions: values.allowedRegions as string[] | undefined,
        adoptExisting: values.adoptExisting as boolean | undefined,
        exclusivePolicyManagement: values.exclusivePolicyManagement as boolean | undefined,
        partition,
    };
    // The component's own checks, with every input named by its config key.
    resolveCredentialRoleArgs(args, labels);
    return { accountId: values.accountId as string, args, externalIdsSecret: labels.externalIds.secret ?? false };
}
