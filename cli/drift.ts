/**
 * The drift of a live role from a stack's plan: each difference in the role's settings, trust
 * policy, inline policies and attached managed policies, as `show --stack` reports it.
 */
import { requiredExternalIds } from "../components/checks";
import { INLINE_POLICY_NAME, PolicyDocument, TrustPolicyDocument, accountRootArn } from "../components/policies";
import { DEFAULT_MAX_SESSION_DURATION_SECONDS } from "../components/resolveArgs";
import { LiveRole, StackPlan, partitionOfArn } from "./awsClients";
import { SECRET_TEXT } from "./plan";

/** One difference between the live role and the stack's plan. */
export interface Drift {
    /** Category of the difference, e.g. `inline-policy-actions` or `trust-external-ids`. */
    kind: string;
    /** A sentence for the text output. */
    message: string;
    /** Entries that the plan has and the live role lacks. */
    missing?: string[];
    /** Entries that the live role has and the plan lacks. */
    extra?: string[];
}

/** Renders the drift report as text. */
export function formatDrift(stack: string, drift: Drift[]): string {
    if (drift.length === 0) {
        return `Drift from the plan of stack ${stack}: none\n`;
    }
    const lines = [`Drift from the plan of stack ${stack} (${drift.length}):`];
    for (const item of drift) {
        lines.push(`  ${item.kind}: ${item.message}`);
    }
    return `${lines.join("\n")}\n`;
}

/** Returns the items of `expected` absent from `actual` and of `actual` absent from `expected`. */
function setDifference(expected: string[], actual: string[]): { missing: string[]; extra: string[] } {
    const actualSet = new Set(actual);
    const expectedSet = new Set(expected);
    return {
        missing: [...expectedSet].filter((item) => !actualSet.has(item)).sort(),
        extra: [...actualSet].filter((item) => !expectedSet.has(item)).sort(),
    };
}

function describeSetDrift(what: string, missing: string[], extra: string[]): string {
    const parts: string[] = [];
    if (missing.length > 0) {
        parts.push(`missing ${missing.join(", ")}`);
    }
    if (extra.length > 0) {
        parts.push(`extra ${extra.join(", ")}`);
    }
    return `${what}: ${parts.join("; ")}`;
}

function asList(value: unknown): unknown[] {
    if (value === undefined) {
        return [];
    }
    return Array.isArray(value) ? value : [value];
}

/** Lower-cased `Effect action` keys of a policy, one per listed action, duplicates kept. */
function actionKeys(document: PolicyDocument<Record<string, unknown>>): Array<{ key: string; action: string }> {
    return asList(document.Statement).flatMap((statement) => {
        const raw = statement as Record<string, unknown>;
        const effect = String(raw.Effect);
        const prefix = effect === "Allow" ? "" : `${effect} `;
        const notPrefix = raw.NotAction !== undefined ? "NotAction " : "";
        const actions = [...asList(raw.Action), ...asList(raw.NotAction)].map(String);
        return actions.map((action) => ({ key: `${prefix}${notPrefix}${action}`.toLowerCase(), action: `${prefix}${notPrefix}${action}` }));
    });
}

/** Maps a principal value of the given type (`AWS`, `Service`, ...) to the form that two policies compare in. */
type NormalizePrincipal = (type: string, value: string) => string;

/** Returns the values as a sorted list without duplicates, lower-cased when `lower` is set. */
function sortedUnique(values: unknown, lower = false): string[] {
    return [...new Set(asList(values).map((value) => (lower ? String(value).toLowerCase() : String(value))))].sort();
}

/** Returns a `Principal` or `NotPrincipal` block with sorted types and sorted, normalized values. */
function canonicalPrincipal(principal: unknown, normalizePrincipal: NormalizePrincipal): unknown {
    if (principal === undefined) {
        return undefined;
    }
    if (typeof principal !== "object" || principal === null) {
        return String(principal);
    }
    return Object.fromEntries(
        Object.entries(principal)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([type, values]) => [type, [...new Set(asList(values).map((value) => normalizePrincipal(type, String(value))))].sort()]),
    );
}

/**
 * Returns a `Condition` block with sorted operators, lower-cased sorted keys and sorted values.
 * With `ignoreExternalIdValues`, every `sts:ExternalId` value list becomes `[secret]`.
 */
function canonicalCondition(block: unknown, ignoreExternalIdValues: boolean): unknown {
    if (typeof block !== "object" || block === null) {
        return undefined;
    }
    return Object.fromEntries(
        Object.entries(block)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([operator, keys]) => [
                operator,
                Object.fromEntries(
                    Object.entries((keys ?? {}) as Record<string, unknown>)
                        .map(([key, values]) =>
                            ignoreExternalIdValues && key.toLowerCase() === "sts:externalid"
                                ? ([key.toLowerCase(), [SECRET_TEXT]] as const)
                                : ([key.toLowerCase(), sortedUnique(values)] as const),
                        )
                        .sort(([a], [b]) => a.localeCompare(b)),
                ),
            ]),
    );
}

/**
 * Returns a statement in a canonical form: list fields as sorted unique lists (actions lower-cased,
 * as IAM compares them), condition keys lower-cased, and principals through `normalizePrincipal`.
 */
function canonicalStatement(statement: Record<string, unknown>, normalizePrincipal: NormalizePrincipal, ignoreExternalIdValues = false): string {
    return JSON.stringify({
        Effect: statement.Effect,
        Action: sortedUnique(statement.Action, true),
        NotAction: sortedUnique(statement.NotAction, true),
        Resource: sortedUnique(statement.Resource),
        NotResource: sortedUnique(statement.NotResource),
        Principal: canonicalPrincipal(statement.Principal, normalizePrincipal),
        NotPrincipal: canonicalPrincipal(statement.NotPrincipal, normalizePrincipal),
        Condition: canonicalCondition(statement.Condition, ignoreExternalIdValues),
    });
}

/** Compares an inline policy with the plan's document: actions, duplicated actions, then statement structure. */
function comparePermissionsPolicy(policyName: string, live: PolicyDocument<Record<string, unknown>>, planned: PolicyDocument<Record<string, unknown>>): Drift[] {
    const drift: Drift[] = [];
    const liveActions = actionKeys(live);
    const plannedActions = actionKeys(planned);
    const spelling = new Map<string, string>();
    for (const { key, action } of [...liveActions, ...plannedActions]) {
        if (!spelling.has(key)) {
            spelling.set(key, action);
        }
    }
    const { missing, extra } = setDifference(
        plannedActions.map((entry) => entry.key),
        liveActions.map((entry) => entry.key),
    );
    if (missing.length > 0 || extra.length > 0) {
        const missingActions = missing.map((key) => spelling.get(key) ?? key);
        const extraActions = extra.map((key) => spelling.get(key) ?? key);
        drift.push({
            kind: "inline-policy-actions",
            message: describeSetDrift(`${policyName} actions`, missingActions, extraActions),
            missing: missingActions,
            extra: extraActions,
        });
    }

    // An action listed twice grants nothing more. The AWS provider compares a statement's action
    // lists including their length (hashicorp/awspolicyequivalence), so an import reports a difference.
    const counts = new Map<string, number>();
    for (const { key } of liveActions) {
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const duplicated = [...counts.entries()].filter(([, count]) => count > 1);
    if (duplicated.length > 0) {
        const listed = duplicated.map(([key, count]) => `${spelling.get(key) ?? key} (${count} times)`);
        drift.push({
            kind: "inline-policy-duplicate-actions",
            message: `${policyName} lists ${listed.join(", ")}; the plan lists each action once`,
            extra: duplicated.map(([key]) => spelling.get(key) ?? key),
        });
    }

    if (drift.length === 0) {
        const identity = (_type: string, value: string) => value;
        const liveStatements = asList(live.Statement).map((statement) => canonicalStatement(statement as Record<string, unknown>, identity)).sort();
        const plannedStatements = asList(planned.Statement).map((statement) => canonicalStatement(statement as Record<string, unknown>, identity)).sort();
        if (JSON.stringify(liveStatements) !== JSON.stringify(plannedStatements)) {
            drift.push({
                kind: "inline-policy-statements",
                message: `${policyName} has the plan's actions, but its statements differ in grouping, resources or conditions (live ${liveStatements.length}, plan ${plannedStatements.length} statements)`,
            });
        }
    }
    return drift;
}

function allowStatements(document: TrustPolicyDocument): Array<Record<string, unknown>> {
    return asList(document.Statement).filter((statement) => (statement as { Effect?: string }).Effect === "Allow") as Array<Record<string, unknown>>;
}

/** Returns the principals that the Allow statements trust: `AWS` values normalized, others as `type:value`. */
function trustedPrincipals(document: TrustPolicyDocument, normalizePrincipal: NormalizePrincipal): string[] {
    return allowStatements(document).flatMap((statement) => {
        const principal = statement.Principal;
        if (typeof principal !== "object" || principal === null) {
            return [String(principal)];
        }
        return Object.entries(principal).flatMap(([type, values]) =>
            asList(values).map((value) => (type === "AWS" ? normalizePrincipal(type, String(value)) : `${type}:${String(value)}`)),
        );
    });
}

function requiredExternalIdsOf(document: TrustPolicyDocument): string[] {
    return allowStatements(document).flatMap((statement) => requiredExternalIds(statement.Condition));
}

/** Compares the live trust policy with the plan's: principals, external IDs, then whole statements. */
function compareTrustPolicy(live: TrustPolicyDocument, planned: TrustPolicyDocument, partition: string, externalIdsSecret: boolean): Drift[] {
    // IAM stores a bare account ID principal as the account's root ARN; both mean the account.
    const normalizePrincipal: NormalizePrincipal = (type, value) => (type === "AWS" && /^\d{12}$/.test(value) ? accountRootArn(partition, value) : value);

    const drift: Drift[] = [];
    const principals = setDifference(trustedPrincipals(planned, normalizePrincipal), trustedPrincipals(live, normalizePrincipal));
    if (principals.missing.length > 0 || principals.extra.length > 0) {
        drift.push({ kind: "trust-principals", message: describeSetDrift("trusted principals", principals.missing, principals.extra), ...principals });
    }
    const externalIds = setDifference(requiredExternalIdsOf(planned), requiredExternalIdsOf(live));
    if (!externalIdsSecret && (externalIds.missing.length > 0 || externalIds.extra.length > 0)) {
        drift.push({ kind: "trust-external-ids", message: describeSetDrift("required external IDs", externalIds.missing, externalIds.extra), ...externalIds });
    }

    const canonical = (statement: unknown) => canonicalStatement(statement as Record<string, unknown>, normalizePrincipal, externalIdsSecret);
    const liveStatements = asList(live.Statement).map(canonical);
    const plannedStatements = asList(planned.Statement).map(canonical);
    const statements = setDifference(plannedStatements, liveStatements);
    if (statements.missing.length > 0 || statements.extra.length > 0) {
        drift.push({
            kind: "trust-statements",
            message: `trust policy statements differ (live ${liveStatements.length}, plan ${plannedStatements.length}): ${statements.extra.length} live ${statements.extra.length === 1 ? "statement is" : "statements are"} not in the plan, ${statements.missing.length} planned ${statements.missing.length === 1 ? "statement is" : "statements are"} not live`,
            missing: statements.missing,
            extra: statements.extra,
        });
    }
    return drift;
}

/** Compares the role's own settings with the inputs of the plan's role resource, when the plan lists it. */
function compareRoleSettings(live: LiveRole, plan: StackPlan): Drift[] {
    const drift: Drift[] = [];
    if (live.arn !== plan.outputs.roleArn) {
        drift.push({ kind: "role-arn", message: `the live ARN is ${live.arn}, the plan's is ${plan.outputs.roleArn}` });
    }

    const inputs = (plan.resources ?? []).find((resource) => resource.type === "aws:iam/role:Role")?.inputs;
    if (!inputs) {
        return drift;
    }
    const planned = {
        path: (inputs.path as string | undefined) ?? "/",
        maxSessionDuration: (inputs.maxSessionDuration as number | undefined) ?? DEFAULT_MAX_SESSION_DURATION_SECONDS,
        permissionsBoundary: (inputs.permissionsBoundary as string | undefined) || undefined,
        description: (inputs.description as string | undefined) || undefined,
        tags: (inputs.tags as Record<string, string> | undefined) ?? {},
    };

    if (live.path !== planned.path) {
        drift.push({ kind: "role-path", message: `path is ${live.path}, the plan has ${planned.path}` });
    }
    if (live.maxSessionDuration !== planned.maxSessionDuration) {
        drift.push({ kind: "role-max-session-duration", message: `max session duration is ${live.maxSessionDuration} s, the plan has ${planned.maxSessionDuration} s` });
    }
    if (live.permissionsBoundaryArn !== planned.permissionsBoundary) {
        drift.push({
            kind: "role-permissions-boundary",
            message: `permissions boundary is ${live.permissionsBoundaryArn ?? "none"}, the plan has ${planned.permissionsBoundary ?? "none"}`,
        });
    }
    if (live.description !== planned.description) {
        drift.push({ kind: "role-description", message: `description is ${JSON.stringify(live.description ?? null)}, the plan has ${JSON.stringify(planned.description ?? null)}` });
    }

    const tags = setDifference(
        Object.entries(planned.tags).map(([key, value]) => `${key}=${value}`),
        Object.entries(live.tags).map(([key, value]) => `${key}=${value}`),
    );
    if (tags.missing.length > 0 || tags.extra.length > 0) {
        // NOTE: tags that the provider's defaultTags add are not in the plan and show as extra.
        drift.push({ kind: "role-tags", message: describeSetDrift("tags", tags.missing, tags.extra), ...tags });
    }
    return drift;
}

/** Compares a live role with a stack's plan and returns every difference; an empty list means equal. */
export function compareRoleToPlan(live: LiveRole, plan: StackPlan): Drift[] {
    const partition = partitionOfArn(plan.outputs.roleArn);
    const drift = compareRoleSettings(live, plan);

    const externalIdsSecret = plan.outputs.externalIds.includes(SECRET_TEXT);
    drift.push(...compareTrustPolicy(live.trustPolicy, JSON.parse(plan.outputs.trustPolicy) as TrustPolicyDocument, partition, externalIdsSecret));

    const planned = JSON.parse(plan.outputs.permissionsPolicy) as PolicyDocument<Record<string, unknown>>;
    const inline = live.inlinePolicies.find((policy) => policy.name === INLINE_POLICY_NAME);
    if (inline) {
        drift.push(...comparePermissionsPolicy(INLINE_POLICY_NAME, inline.document, planned));
    } else {
        drift.push({ kind: "inline-policy-missing", message: `the inline policy ${INLINE_POLICY_NAME} does not exist`, missing: [INLINE_POLICY_NAME] });
    }
    const extraInline = live.inlinePolicies.map((policy) => policy.name).filter((name) => name !== INLINE_POLICY_NAME);
    if (extraInline.length > 0) {
        drift.push({
            kind: "inline-policy-extra",
            message: `inline policies that the plan does not have: ${extraInline.join(", ")}`,
            extra: extraInline,
        });
    }

    const plannedAttachments = (plan.resources ?? [])
        .filter((resource) => resource.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((resource) => String(resource.inputs?.policyArn));
    const attachments = setDifference(
        plannedAttachments,
        live.attachedPolicies.map((policy) => policy.arn),
    );
    if (attachments.missing.length > 0 || attachments.extra.length > 0) {
        drift.push({ kind: "attachments", message: describeSetDrift("attached managed policies", attachments.missing, attachments.extra), ...attachments });
    }
    return drift;
}
