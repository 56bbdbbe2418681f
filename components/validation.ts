/**
 * Synchronous validators for the inputs of the Cloudbreak credential role.
 *
 * Each validator throws a {@link ValidationError} whose message names the input, the value
 * received, the rule it breaks and what to do. The rules are AWS's (IAM quotas and the CreateRole
 * API) unless a comment names another source.
 */
import * as pulumi from "@pulumi/pulumi";

import {
    PARTITIONS,
    POLICY_PRESETS,
    Partition,
    PolicyCondition,
    PolicyPreset,
    PolicyStatement,
} from "./policies";

/**
 * An input that breaks a rule. It extends `pulumi.RunError`, so the Pulumi CLI prints the message
 * without a stack trace.
 */
export class ValidationError extends pulumi.RunError {
    constructor(
        /** The input or config key, e.g. `deployerAccountId` or `cloudbreak-role:roleName`. */
        readonly input: string,
        message: string,
    ) {
        super(message);
        this.name = "ValidationError";
    }
}

/** An input's name in messages, and whether its value may be printed. */
export interface InputLabel {
    /** The input or config key, e.g. `externalIds` or `cloudbreak-role:externalIds`. */
    name: string;
    /** Print `[secret]` in place of the value. */
    secret?: boolean;
}

type Label = string | InputLabel;

const MAX_SHOWN_VALUE_LENGTH = 80;

/** Renders a value for an error message: JSON, cut to a readable length, or `[secret]`. */
export function describeValue(value: unknown, secret = false): string {
    if (secret) {
        return "[secret]";
    }
    if (pulumi.Output.isInstance(value)) {
        return "[Output]";
    }
    const text = value === undefined ? "undefined" : safeStringify(value);
    if (text.length <= MAX_SHOWN_VALUE_LENGTH) {
        return text;
    }
    // A string's own length, not that of its JSON with quotes and escapes.
    const length = typeof value === "string" ? value.length : text.length;
    return `${text.slice(0, MAX_SHOWN_VALUE_LENGTH)}... (${length} characters)`;
}

function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value, (_key, item) => (pulumi.Output.isInstance(item) ? "[Output]" : item)) ?? String(value);
    } catch {
        return String(value);
    }
}

/** Cuts an object key that is part of an input name, so that a long key cannot make a long message. */
function keyInName(key: string): string {
    return key.length <= MAX_SHOWN_VALUE_LENGTH ? key : `${key.slice(0, MAX_SHOWN_VALUE_LENGTH)}... (${key.length} characters)`;
}

function labelOf(label: Label): InputLabel {
    return typeof label === "string" ? { name: label } : label;
}

/** Throws the standard message: `Invalid <input> <value>: <rule>. <fix>` */
export function fail(label: Label, value: unknown, rule: string, fix: string): never {
    const { name, secret } = labelOf(label);
    throw new ValidationError(name, `Invalid ${name} ${describeValue(value, secret)}: ${rule}. ${fix}`);
}

function element(label: Label, index: number): InputLabel {
    const { name, secret } = labelOf(label);
    return { name: `${name}[${index}]`, secret };
}

function requireString(label: Label, value: unknown, fix: string): asserts value is string {
    if (typeof value !== "string") {
        fail(label, value, "it must be a string", fix);
    }
}

function requireArray(label: Label, value: unknown, fix: string): asserts value is unknown[] {
    if (!Array.isArray(value)) {
        fail(label, value, "it must be a list", fix);
    }
}

function rejectDuplicates(label: Label, values: readonly string[], fold = (v: string) => v): void {
    const seen = new Set<string>();
    values.forEach((value, index) => {
        const key = fold(value);
        if (seen.has(key)) {
            fail(element(label, index), value, "it repeats an earlier entry", "Remove the duplicate");
        }
        seen.add(key);
    });
}

const ACCOUNT_ID = /^\d{12}$/;

/** Validates a 12-digit AWS account ID. */
export function validateAccountId(value: unknown, label: Label): asserts value is string {
    const fix = 'Use the 12-digit account ID, as a quoted string such as "123456789012"';
    requireString(label, value, fix);
    if (!ACCOUNT_ID.test(value)) {
        fail(label, value, "an AWS account ID is exactly 12 digits", fix);
    }
}

const EXTERNAL_ID = /^[A-Za-z0-9+=,.@:/_-]+$/;
export const EXTERNAL_ID_MIN_LENGTH = 2;
export const EXTERNAL_ID_MAX_LENGTH = 1224;

/** Validates one external ID: 2 to 1,224 characters of `A-Z a-z 0-9 + = , . @ : / _ -`. */
export function validateExternalId(value: unknown, label: Label): asserts value is string {
    const fix =
        "Use the external ID that your Cloudbreak server sends: provision-ambari for Cloudbreak 1.x to 2.9, " +
        "the value from `cdp environments get-credential-prerequisites` for CDP";
    requireString(label, value, fix);
    if (value.length < EXTERNAL_ID_MIN_LENGTH || value.length > EXTERNAL_ID_MAX_LENGTH) {
        fail(label, value, `an external ID has ${EXTERNAL_ID_MIN_LENGTH} to ${EXTERNAL_ID_MAX_LENGTH} characters`, fix);
    }
    if (!EXTERNAL_ID.test(value)) {
        fail(label, value, "an external ID may contain only letters, digits and + = , . @ : / _ -", fix);
    }
}

/** Validates the external ID list: at least one, each valid, no duplicates. */
export function validateExternalIds(values: unknown, label: Label): asserts values is string[] {
    const fix = 'Give at least one external ID, e.g. ["provision-ambari"]';
    requireArray(label, values, fix);
    if (values.length === 0) {
        fail(label, values, "the trust policy needs at least one external ID", fix);
    }
    values.forEach((value, index) => validateExternalId(value, element(label, index)));
    rejectDuplicates(label, values as string[]);
}

const ROLE_NAME = /^[\w+=,.@-]+$/;
export const ROLE_NAME_MAX_LENGTH = 64;

/** Validates an IAM role name: 1 to 64 characters of letters, digits and `_ + = , . @ -`. */
export function validateRoleName(value: unknown, label: Label): asserts value is string {
    const fix = "Choose a name such as cbreak-deployer";
    requireString(label, value, fix);
    if (value.length < 1 || value.length > ROLE_NAME_MAX_LENGTH) {
        fail(label, value, `a role name has 1 to ${ROLE_NAME_MAX_LENGTH} characters`, fix);
    }
    if (!ROLE_NAME.test(value)) {
        fail(label, value, "a role name may contain only letters, digits and _ + = , . @ -", fix);
    }
}

/** Path characters are U+0021 to U+007F; IAM rejects `//`, which has none between the slashes. */
const ROLE_PATH = /^\/(?:[\u0021-\u007f]+\/)?$/;
export const ROLE_PATH_MAX_LENGTH = 512;

/** Validates an IAM path: `/` alone, or up to 512 characters that start and end with `/`. */
export function validateRolePath(value: unknown, label: Label): asserts value is string {
    const fix = "Use / or a path such as /cloudbreak/";
    requireString(label, value, fix);
    if (value.length > ROLE_PATH_MAX_LENGTH) {
        fail(label, value, `a path has at most ${ROLE_PATH_MAX_LENGTH} characters`, fix);
    }
    if (!ROLE_PATH.test(value)) {
        fail(label, value, "a path is / alone or starts and ends with / and has no spaces or non-ASCII characters", fix);
    }
}

const DESCRIPTION = /^[\t\n\r\u0020-\u007e\u00a1-\u00ff]*$/;
export const DESCRIPTION_MAX_LENGTH = 1000;

/** Validates a role description: at most 1,000 characters from Basic Latin and Latin-1. */
export function validateRoleDescription(value: unknown, label: Label): asserts value is string {
    const fix = "Shorten the text or remove the characters outside Latin-1";
    requireString(label, value, fix);
    if (value.length > DESCRIPTION_MAX_LENGTH) {
        fail(label, value, `a role description has at most ${DESCRIPTION_MAX_LENGTH} characters`, fix);
    }
    if (!DESCRIPTION.test(value)) {
        fail(label, value, "a role description may contain only printable Basic Latin and Latin-1 characters", fix);
    }
}

export const MIN_SESSION_DURATION_SECONDS = 3600;
export const MAX_SESSION_DURATION_SECONDS = 43200;

/** Validates the maximum session duration: a whole number of seconds from 3,600 to 43,200. */
export function validateMaxSessionDuration(value: unknown, label: Label): asserts value is number {
    const fix = `Use a whole number of seconds from ${MIN_SESSION_DURATION_SECONDS} (1 hour) to ${MAX_SESSION_DURATION_SECONDS} (12 hours)`;
    if (
        typeof value !== "number" ||
        !Number.isInteger(value) ||
        value < MIN_SESSION_DURATION_SECONDS ||
        value > MAX_SESSION_DURATION_SECONDS
    ) {
        fail(label, value, "IAM allows 3600 to 43200 seconds", fix);
    }
}

/** Validates a policy preset name. */
export function validatePolicyPreset(value: unknown, label: Label): asserts value is PolicyPreset {
    if (typeof value !== "string" || !(POLICY_PRESETS as readonly string[]).includes(value)) {
        fail(
            label,
            value,
            `the presets are ${POLICY_PRESETS.join(", ")}`,
            "Use cloudbreak-1 for cbd up to 2.2, cloudbreak-2 for cbd 2.6 to 2.9, cdp for CDP",
        );
    }
}

/** Validates a partition name. */
export function validatePartition(value: unknown, label: Label, fix = "Leave it unset to use the provider's partition"): asserts value is Partition {
    if (typeof value !== "string" || !(PARTITIONS as readonly string[]).includes(value)) {
        fail(label, value, `the partitions are ${PARTITIONS.join(", ")}`, fix);
    }
}

const PARTITION_PATTERN = "(aws|aws-cn|aws-us-gov)";
const PRINCIPAL_ARN = new RegExp(`^arn:${PARTITION_PATTERN}:iam::(\\d{12}):(role|user)(/[\\u0021-\\u007f]*)?/([\\w+=,.@-]+)$`);

/** Returns the partition and account of an IAM role or user ARN, or undefined when it is not one. */
export function parsePrincipalArn(arn: string): { partition: Partition; accountId: string } | undefined {
    const match = PRINCIPAL_ARN.exec(arn);
    return match ? { partition: match[1] as Partition, accountId: match[2] } : undefined;
}

/** Validates the deployer principals: IAM role or user ARNs in the deployer account, no wildcards. */
export function validateDeployerPrincipalArns(
    values: unknown,
    deployerAccountId: string,
    label: Label,
): asserts values is string[] {
    const fix = `Use ARNs such as arn:<partition>:iam::${deployerAccountId}:role/cloudbreak, or leave the list empty to trust the whole account`;
    requireArray(label, values, fix);
    values.forEach((value, index) => {
        const itemLabel = element(label, index);
        requireString(itemLabel, value, fix);
        if (value.includes("*")) {
            fail(itemLabel, value, "a trusted principal may not contain a wildcard", fix);
        }
        const parsed = parsePrincipalArn(value);
        if (!parsed) {
            fail(itemLabel, value, "it must be the ARN of an IAM role or user", fix);
        }
        if (parsed.accountId !== deployerAccountId) {
            fail(itemLabel, value, `it must belong to deployerAccountId ${deployerAccountId}, not ${parsed.accountId}`, fix);
        }
    });
    rejectDuplicates(label, values as string[]);
}

const POLICY_ARN = new RegExp(`^arn:${PARTITION_PATTERN}:iam::(\\d{12}|aws):policy(/[\\u0021-\\u007f]*)?/[\\w+=,.@-]+$`);

/** Returns the partition of a managed policy ARN, or undefined when it is not one. */
export function parsePolicyArn(arn: string): { partition: Partition } | undefined {
    const match = POLICY_ARN.exec(arn);
    return match ? { partition: match[1] as Partition } : undefined;
}

/** Validates one managed policy ARN, such as a permissions boundary. */
export function validatePolicyArn(value: unknown, label: Label): asserts value is string {
    const fix = "Use a managed policy ARN such as arn:<partition>:iam::123456789012:policy/cloudbreak-boundary";
    requireString(label, value, fix);
    if (!parsePolicyArn(value)) {
        fail(label, value, "it must be the ARN of an IAM managed policy", fix);
    }
}

/** Managed policies per role: 10 by default, 20 with a raised quota. */
export const MAX_MANAGED_POLICIES = 20;

/** Validates the managed policy ARNs to attach: valid ARNs, no duplicates, at most 20. */
export function validateManagedPolicyArns(values: unknown, label: Label): asserts values is string[] {
    requireArray(label, values, "Give a list of managed policy ARNs");
    if (values.length > MAX_MANAGED_POLICIES) {
        fail(
            label,
            values,
            `IAM attaches at most ${MAX_MANAGED_POLICIES} managed policies to a role (10 unless the quota was raised)`,
            "Merge policies or drop some",
        );
    }
    values.forEach((value, index) => validatePolicyArn(value, element(label, index)));
    rejectDuplicates(label, values as string[]);
}

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
export const MAX_TAGS = 50;

/** Validates role tags: at most 50, keys of 1 to 128 characters not starting with `aws:`, values up to 256. */
export function validateTags(value: unknown, label: Label): asserts value is Record<string, string> {
    const { name } = labelOf(label);
    const fix = "Use letters, digits, spaces and _ . : / = + - @ in tag keys and values";
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail(label, value, "it must be a map of tag keys to string values", fix);
    }
    const entries = Object.entries(value);
    if (entries.length > MAX_TAGS) {
        fail(label, Object.keys(value), `IAM allows at most ${MAX_TAGS} tags on a role`, "Remove some tags");
    }
    for (const [key, tagValue] of entries) {
        const keyLabel = `${name} key`;
        if (key.length < 1 || key.length > 128) {
            fail(keyLabel, key, "a tag key has 1 to 128 characters", fix);
        }
        if (!TAG_CHARACTERS.test(key)) {
            fail(keyLabel, key, "a tag key may contain only letters, digits, spaces and _ . : / = + - @", fix);
        }
        if (key.toLowerCase().startsWith("aws:")) {
            fail(keyLabel, key, "the aws: prefix is reserved for AWS", "Choose another key");
        }
        const valueLabel = `${name}.${key}`;
        requireString(valueLabel, tagValue, fix);
        if (tagValue.length > 256) {
            fail(valueLabel, tagValue, "a tag value has at most 256 characters", fix);
        }
        if (!TAG_CHARACTERS.test(tagValue)) {
            fail(valueLabel, tagValue, "a tag value may contain only letters, digits, spaces and _ . : / = + - @", fix);
        }
    }
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/;

/**
 * Validates one region code such as `eu-west-1`. Regions of the isolated partitions (`us-iso-*`,
 * `us-isob-*`) are rejected, because this package composes ARNs for aws, aws-cn and aws-us-gov only.
 */
export function validateRegion(value: unknown, label: Label, fix = "Use a region code such as eu-west-1, cn-north-1 or us-gov-west-1"): asserts value is string {
    requireString(label, value, fix);
    if (!REGION.test(value)) {
        fail(label, value, "it is not an AWS region code (lower case, e.g. eu-west-1)", fix);
    }
    if (/^[a-z]{2}-iso/.test(value)) {
        fail(label, value, "regions of the isolated partitions are not supported; the partitions are aws, aws-cn and aws-us-gov", fix);
    }
}

/** Validates the allowed regions: a non-empty list of region codes such as `eu-west-1`, no duplicates. */
export function validateAllowedRegions(values: unknown, label: Label): asserts values is string[] {
    const fix = "Use region codes such as eu-west-1, or leave the input unset to allow every region";
    requireArray(label, values, fix);
    if (values.length === 0) {
        fail(label, values, "an empty list would deny every regional action", fix);
    }
    values.forEach((value, index) => validateRegion(value, element(label, index), fix));
    rejectDuplicates(label, values as string[]);
}

const CREDENTIAL_NAME = /^[a-z][-a-z0-9]*[a-z0-9]$/;

/** Validates a Cloudbreak credential name: 5 to 100 characters, `^[a-z][-a-z0-9]*[a-z0-9]$` (Cloudbreak's rule). */
export function validateCredentialName(
    value: unknown,
    label: Label,
    fix = "Use lower-case letters, digits and hyphens, starting with a letter, e.g. aws-prod-eu",
): asserts value is string {
    requireString(label, value, fix);
    if (value.length < 5 || value.length > 100) {
        fail(label, value, "Cloudbreak credential names have 5 to 100 characters", fix);
    }
    if (!CREDENTIAL_NAME.test(value)) {
        fail(label, value, "Cloudbreak credential names match ^[a-z][-a-z0-9]*[a-z0-9]$", fix);
    }
}

/** Characters that IAM accepts in a policy document: tab, LF, CR and U+0020 to U+00FF. */
const POLICY_TEXT = /^[\t\n\r\u0020-\u00ff]*$/;
const SID = /^[A-Za-z0-9]*$/;
// NOTE: IAM also accepts the bare action "*". It is rejected here, as is an Allow with NotAction,
// so that additional statements cannot grant every action of every service by accident.
/** `service:Action`, where the action part may contain `*` and `?` wildcards. */
const ACTION = /^[a-z0-9-]+:[A-Za-z0-9*?]+$/;
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

/** Returns true when the text is a `service:Action` pattern such as `ec2:Describe*`. */
export function isActionPattern(text: string): boolean {
    return ACTION.test(text);
}

function validatePolicyText(label: Label, value: unknown, fix: string): asserts value is string {
    requireString(label, value, fix);
    if (value.length === 0) {
        fail(label, value, "it must not be empty", fix);
    }
    if (!POLICY_TEXT.test(value)) {
        fail(label, value, "IAM policies accept only tab, line breaks and characters U+0020 to U+00FF", fix);
    }
}

function validateStringOrList(label: Label, value: unknown, each: (item: unknown, itemLabel: Label) => void): void {
    if (typeof value === "string") {
        each(value, label);
        return;
    }
    requireArray(label, value, "Give a string or a list of strings");
    if (value.length === 0) {
        fail(label, value, "the list must not be empty", "Give at least one entry");
    }
    value.forEach((item, index) => each(item, element(label, index)));
}

function validateCondition(label: Label, value: unknown): asserts value is PolicyCondition {
    const fix = 'Write conditions as { "Operator": { "key": "value" or ["values"] } }';
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail(label, value, "a condition must be a map of operators", fix);
    }
    const { name } = labelOf(label);
    for (const [operator, block] of Object.entries(value)) {
        validatePolicyText(`${name} operator`, operator, fix);
        if (typeof block !== "object" || block === null || Array.isArray(block)) {
            fail(`${name}.${keyInName(operator)}`, block, "an operator must map condition keys to values", fix);
        }
        for (const [key, conditionValue] of Object.entries(block)) {
            const keyLabel = `${name}.${keyInName(operator)}.${keyInName(key)}`;
            validatePolicyText(`${name}.${keyInName(operator)} key`, key, fix);
            if (typeof conditionValue === "boolean" || (typeof conditionValue === "number" && Number.isFinite(conditionValue))) {
                continue;
            }
            validateStringOrList(keyLabel, conditionValue, (item, itemLabel) => {
                if (typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item))) {
                    return;
                }
                validatePolicyText(itemLabel, item, fix);
            });
        }
    }
}

/**
 * Validates one identity-policy statement: known keys only, `Effect` Allow or Deny, exactly one
 * of `Action` and `NotAction` with `service:Action` entries, exactly one of `Resource` and
 * `NotResource`, no `Principal`, an alphanumeric `Sid`, and only characters that IAM accepts.
 */
export function validateStatement(value: unknown, label: Label): asserts value is PolicyStatement {
    const { name } = labelOf(label);
    const fix = 'Write statements as { "Effect": "Allow", "Action": ["ec2:DescribeVpcs"], "Resource": ["*"] }';
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fail(label, value, "a statement must be an object", fix);
    }

    const statement = value as Record<string, unknown>;
    for (const key of Object.keys(statement)) {
        if (key === "Principal" || key === "NotPrincipal") {
            fail(`${name}.${key}`, statement[key], "a permissions policy names no principal", "Remove the key");
        }
        if (!STATEMENT_KEYS.has(key)) {
            fail(`${name}.${keyInName(key)}`, statement[key], `statement keys are ${[...STATEMENT_KEYS].join(", ")}`, "Remove or rename the key");
        }
    }

    if (statement.Sid !== undefined) {
        requireString(`${name}.Sid`, statement.Sid, fix);
        if (!SID.test(statement.Sid)) {
            fail(`${name}.Sid`, statement.Sid, "a Sid may contain only letters and digits", "Remove the other characters");
        }
    }
    if (statement.Effect !== "Allow" && statement.Effect !== "Deny") {
        fail(`${name}.Effect`, statement.Effect, "Effect is Allow or Deny", fix);
    }

    const actionKeys = ["Action", "NotAction"].filter((key) => statement[key] !== undefined);
    if (actionKeys.length !== 1) {
        fail(label, value, "a statement has exactly one of Action and NotAction", fix);
    }
    validateStringOrList(`${name}.${actionKeys[0]}`, statement[actionKeys[0]], (item, itemLabel) => {
        requireString(itemLabel, item, fix);
        if (!isActionPattern(item)) {
            fail(itemLabel, item, "an action has the form service:Action, with * or ? as wildcards", 'Write it as e.g. "ec2:DescribeVpcs" or "ec2:Describe*"');
        }
    });

    const resourceKeys = ["Resource", "NotResource"].filter((key) => statement[key] !== undefined);
    if (resourceKeys.length !== 1) {
        fail(label, value, "a statement has exactly one of Resource and NotResource", fix);
    }

    // An Allow with NotAction or NotResource grants everything but a few listed items, so only
    // Deny statements may use them here.
    for (const key of ["NotAction", "NotResource"]) {
        if (statement.Effect === "Allow" && statement[key] !== undefined) {
            fail(`${name}.${key}`, statement[key], `an Allow statement may not use ${key}, because it would grant everything except what it lists`, `List the granted ${key === "NotAction" ? "actions in Action" : "resources in Resource"}, or make the statement a Deny`);
        }
    }

    validateStringOrList(`${name}.${resourceKeys[0]}`, statement[resourceKeys[0]], (item, itemLabel) => {
        validatePolicyText(itemLabel, item, 'Use "*" or ARNs');
    });
    if (statement.Condition !== undefined) {
        validateCondition(`${name}.Condition`, statement.Condition);
    }
}

/** Validates the additional permissions statements. */
export function validateStatements(values: unknown, label: Label): asserts values is PolicyStatement[] {
    requireArray(label, values, "Give a list of policy statements");
    values.forEach((value, index) => validateStatement(value, element(label, index)));
}
