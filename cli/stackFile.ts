/**
 * Reads a stack's configuration as the Pulumi CLI would pass it to the program: the project's
 * declared defaults from `Pulumi.yaml` merged with the stack file `Pulumi.<stack>.yaml`, checked
 * against the declared types.
 *
 * The rules follow `mergeConfig` and `validateStackConfigValue` in the Pulumi CLI
 * (sdk/go/common/workspace/config.go, Pulumi 3.x): a key declared without `default` or `value`
 * is required, a typed key must match its type, and keys that the project does not declare pass
 * unchecked.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The location of one stack's configuration. */
export interface StackRequest {
    /** Stack name; derived from `configFile` when omitted. */
    stack?: string;
    /** Stack file; defaults to `Pulumi.<stack>.yaml` in the project directory. */
    configFile?: string;
    /** Directory of `Pulumi.yaml`; defaults to the current directory. */
    projectDir?: string;
}

/** A stack's configuration as the Pulumi language host would pass it to the program. */
export interface StackConfig {
    stack: string;
    project: string;
    projectDir: string;
    configFile: string;
    /** Absolute path of the program (`main` of `Pulumi.yaml`, else the project directory). */
    programPath: string;
    /** Full keys (`namespace:key`) to values: strings, with lists and objects as JSON. */
    config: Record<string, string>;
    /** Full keys whose value is a `secure:` ciphertext. */
    secretKeys: string[];
    /**
     * Placeholders that stand in for secrets, mapped to their full key. A placeholder is a valid
     * value for its key whatever the secret contains, so it never hides a problem of the real value.
     */
    placeholders: Record<string, string>;
    /** `aws:region`, or undefined when unset. */
    region?: string;
}

/** A problem with the project or stack file, stated as one message. */
export class StackConfigError extends Error {
    constructor(
        readonly stack: string,
        message: string,
    ) {
        super(message);
        this.name = "StackConfigError";
    }
}

/** A config key's declaration in `Pulumi.yaml`. */
interface ConfigDeclaration {
    type?: string;
    items?: ItemsDeclaration;
    default?: unknown;
    value?: unknown;
    secret?: boolean;
}

interface ItemsDeclaration {
    type: string;
    items?: ItemsDeclaration;
}

interface ProjectFile {
    name: string;
    main?: string;
    stackConfigDir?: string;
    config: Record<string, ConfigDeclaration>;
}

/**
 * Keys whose secret value the plan replaces with a placeholder. Each placeholder meets every
 * rule of its key (an external ID of `A-Z a-z 0-9 _`, a Latin-1 description), so the plan's
 * result is the same for any real value that passes the same rules.
 */
const PLACEHOLDER_KEYS = new Set(["externalIds", "description"]);

/** The start of each placeholder; plan numbers the placeholders of a stack from 1. */
export const PLACEHOLDER_PREFIX = "SECRET_PLACEHOLDER_";

type Yaml = typeof import("yaml");

let yamlModule: Yaml | undefined;

function loadYaml(): Yaml {
    yamlModule ??= require("yaml") as Yaml;
    return yamlModule;
}

/** Reads a YAML file; the document keeps each scalar's source text, which the type checks quote. */
function readYamlDocument(file: string, stack: string): import("yaml").Document {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the file does not exist" : (error as Error).message;
        throw new StackConfigError(stack, `Stack ${stack}: cannot read ${file}: ${reason}.`);
    }
    const document = loadYaml().parseDocument(text);
    if (document.errors.length > 0) {
        throw new StackConfigError(stack, `Stack ${stack}: ${file} is not valid YAML: ${document.errors[0].message}`);
    }
    return document;
}

function readYamlFile(file: string, stack: string): unknown {
    return readYamlDocument(file, stack).toJS() ?? {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

const projectCache = new Map<string, ProjectFile>();

/** Reads `Pulumi.yaml`; the result is cached per directory, so `--all` parses it once. */
export function readProjectFile(projectDir: string, stack = "(none)"): ProjectFile {
    const cached = projectCache.get(projectDir);
    if (cached) {
        return cached;
    }
    const file = path.join(projectDir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new StackConfigError(stack, `No Pulumi.yaml in ${projectDir}: plan reads the project file there. Run plan in the project directory or pass --cwd DIR.`);
    }
    const raw = readYamlFile(file, stack);
    if (!isRecord(raw) || typeof raw.name !== "string" || raw.name === "") {
        throw new StackConfigError(stack, `Stack ${stack}: ${file} has no project name. Add a line such as "name: cloudbreak-role".`);
    }
    const config: Record<string, ConfigDeclaration> = {};
    if (isRecord(raw.config)) {
        for (const [key, declaration] of Object.entries(raw.config)) {
            // A plain value is an untyped declaration with that default.
            config[key] = isRecord(declaration) && ("type" in declaration || "default" in declaration || "value" in declaration)
                ? (declaration as ConfigDeclaration)
                : { default: declaration };
        }
    }
    // A string `config:` is the older spelling of `stackConfigDir`.
    let stackConfigDir: string | undefined;
    if (typeof raw.stackConfigDir === "string") {
        stackConfigDir = raw.stackConfigDir;
    } else if (typeof raw.config === "string") {
        stackConfigDir = raw.config;
    }
    const project: ProjectFile = {
        name: raw.name,
        main: typeof raw.main === "string" ? raw.main : undefined,
        stackConfigDir,
        config,
    };
    projectCache.set(projectDir, project);
    return project;
}

/** Returns the directory that contains the stack files of a project. */
export function stackFileDir(projectDir: string): string {
    const project = readProjectFile(projectDir);
    return project.stackConfigDir ? path.resolve(projectDir, project.stackConfigDir) : projectDir;
}

/** Returns the stack name in a stack file name `Pulumi.<stack>.yaml`, or undefined. */
export function stackNameOfFile(file: string): string | undefined {
    const match = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file));
    return match ? match[1] : undefined;
}

/** Lists the stack files `Pulumi.*.yaml` of a project, sorted by stack name. */
export function listStackFiles(projectDir: string): string[] {
    const dir = stackFileDir(projectDir);
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        let reason = (error as Error).message;
        if (code === "ENOENT") {
            reason = "the directory does not exist";
        } else if (code === "ENOTDIR") {
            reason = "it is not a directory";
        }
        const setting = readProjectFile(projectDir).stackConfigDir;
        const fix = setting === undefined ? "Pass --cwd with the project directory." : `Create the directory, or correct stackConfigDir: ${setting} in ${path.join(projectDir, "Pulumi.yaml")}.`;
        throw new StackConfigError("(none)", `Cannot list the stack files in ${dir}: ${reason}. ${fix}`);
    }
    return names
        .filter((name) => stackNameOfFile(name) !== undefined)
        .sort()
        .map((name) => path.join(dir, name));
}

/** Returns the full key `namespace:key` of a stack file key; a bare key belongs to the project's namespace. */
function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function isSecure(value: unknown): value is { secure: string } {
    return isRecord(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

function containsSecure(value: unknown): boolean {
    if (isSecure(value)) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.some(containsSecure);
    }
    return isRecord(value) && Object.values(value).some(containsSecure);
}

/** Renders a YAML value as the language host passes it: scalars as text, the rest as JSON. */
function configText(value: unknown): string {
    if (value === null || value === undefined) {
        return "";
    }
    if (typeof value === "object") {
        return JSON.stringify(value);
    }
    return String(value);
}

// NOTE: these per-type checks restate ValidateConfigValue as the Pulumi CLI's workspace tests show it; no Pulumi CLI was run to compare.
/** Go's strconv.Atoi, which the Pulumi CLI uses for `integer`. */
function isGoInteger(text: string): boolean {
    return /^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text));
}

function matchesType(type: string, items: ItemsDeclaration | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (typeof value === "number" && Number.isInteger(value)) || (typeof value === "string" && isGoInteger(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "array":
            return Array.isArray(value) && items !== undefined && value.every((item) => matchesType(items.type, items.items, item));
        default:
            return false;
    }
}

function fullTypeName(type: string, items?: ItemsDeclaration): string {
    return type === "array" && items ? `array<${fullTypeName(items.type, items.items)}>` : type;
}

const TYPE_FIXES: Record<string, string> = {
    string: "Write it as a quoted string",
    integer: "Write a whole number without quotes, e.g. 3600",
    boolean: "Write true or false without quotes",
    "array<string>": "Write it as a YAML list of strings, e.g. one '- value' line per entry",
};

function formatKeyList(keys: string[]): string {
    const quoted = [...keys].sort().map((key) => `'${key}'`);
    return quoted.length === 1 ? quoted[0] : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

/**
 * Loads a stack's configuration: declared defaults, then the stack file, checked as the Pulumi
 * CLI checks it before it starts the program. Throws {@link StackConfigError} with one message.
 */
export function loadStackConfig(request: StackRequest): StackConfig {
    // NOTE: Pulumi ESC environments (`environment:` in the stack file) and a project file named Pulumi.yml are not read.
    const projectDir = path.resolve(request.projectDir ?? defaultProjectDir());
    const stack = request.stack ?? (request.configFile ? stackNameOfFile(request.configFile) : undefined);
    if (stack === undefined) {
        throw new StackConfigError(
            "(unknown)",
            `Cannot determine the stack name of ${request.configFile ?? "(no file)"}: a stack file is named Pulumi.<stack>.yaml. Rename the file or pass --stack NAME.`,
        );
    }
    const project = readProjectFile(projectDir, stack);
    const configFile = path.resolve(request.configFile ?? path.join(stackFileDir(projectDir), `Pulumi.${stack}.yaml`));
    const document = readYamlDocument(configFile, stack);
    const stackValues = readStackValues(stack, project, configFile, document);
    applyDeclaredDefaults(stack, project, configFile, stackValues);
    checkDeclaredTypes(stack, project, document, stackValues);

    const { config, secretKeys, placeholders } = stackValues;
    const region = config["aws:region"] || undefined;
    const programPath = compiledProgramFallback(path.resolve(projectDir, project.main ?? "."), projectDir);
    checkProgramExists(stack, project, projectDir, programPath);
    return { stack, project: project.name, projectDir, configFile, programPath, config, secretKeys, placeholders, region };
}

/** A stack file's value under its full key, as the type checks see it. */
interface StackValue {
    /** The key as the stack file spells it. */
    key: string;
    /** The YAML value, `secure:` entries included. */
    raw: unknown;
    /** The value with placeholders for secrets, or undefined for a secret that plan does not pass to the program. */
    checked: unknown;
}

/** The configuration that the program receives, and each stack value for the type checks. */
interface StackValues {
    config: Record<string, string>;
    secretKeys: string[];
    placeholders: Record<string, string>;
    values: Map<string, StackValue>;
}

/**
 * Reads the `config:` block of a stack file: each value under its full key as the language host
 * passes it, with a placeholder for each secret that plan checks.
 */
function readStackValues(stack: string, project: ProjectFile, configFile: string, document: import("yaml").Document): StackValues {
    const stackFile: unknown = document.toJS() ?? {};
    if (!isRecord(stackFile)) {
        throw new StackConfigError(stack, `Stack ${stack}: ${configFile} must be a YAML mapping with a config: block.`);
    }
    const stackValues = isRecord(stackFile.config) ? stackFile.config : {};

    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    const placeholders: Record<string, string> = {};
    // Each stack value by full key, as the type checks see it: YAML values with placeholders for secrets.
    const values = new Map<string, StackValue>();
    for (const [key, value] of Object.entries(stackValues)) {
        const name = fullKey(project.name, key);
        const earlier = values.get(name);
        if (earlier !== undefined) {
            throw new StackConfigError(
                stack,
                `Stack ${stack}: ${configFile} sets ${name} twice, as ${earlier.key} and as ${key}, and only one value can reach the program. Keep one of them.`,
            );
        }
        if (!containsSecure(value)) {
            config[name] = configText(value);
            values.set(name, { key, raw: value, checked: value });
            continue;
        }
        secretKeys.push(name);
        const bareKey = name.startsWith(`${project.name}:`) ? name.slice(project.name.length + 1) : undefined;
        if (bareKey === undefined || !PLACEHOLDER_KEYS.has(bareKey)) {
            // Keys of other namespaces (e.g. aws:secretKey) do not reach the program's checks.
            if (name === "aws:region" || bareKey !== undefined) {
                throw new StackConfigError(
                    stack,
                    `Stack ${stack}: ${name} is a secret (secure: in ${path.basename(configFile)}), which plan cannot decrypt; ` +
                        `plan checks only externalIds as secrets. Run pulumi preview for this stack, or store ${name} in plain text.`,
                );
            }
            // Nothing to check: plan does not pass this value to the program.
            values.set(name, { key, raw: value, checked: undefined });
            continue;
        }
        let replaced = replaceSecure(value, placeholders, name);
        // A whole list stored as one secret (pulumi config set --secret externalIds '[...]') is a
        // list when decrypted, so its placeholder is a list of one placeholder.
        if (isSecure(value) && project.config[bareKey]?.type === "array") {
            // NOTE: the real list's length (empty, or over the program's limit) is not checked.
            replaced = [replaced];
        }
        config[name] = configText(replaced);
        values.set(name, { key, raw: value, checked: replaced });
    }
    return { config, secretKeys, placeholders, values };
}

/**
 * Adds the declared default (`default` or `value` in Pulumi.yaml) of each key that the stack file
 * does not set, and rejects the project's keys that are declared without one.
 */
function applyDeclaredDefaults(stack: string, project: ProjectFile, configFile: string, { config, values }: StackValues): void {
    const missing: string[] = [];
    for (const [key, declaration] of Object.entries(project.config)) {
        const name = fullKey(project.name, key);
        if (values.has(name)) {
            continue;
        }
        const fallback = declaration.default ?? declaration.value;
        if (fallback === undefined || fallback === null) {
            if (name.startsWith(`${project.name}:`)) {
                missing.push(key);
            }
            continue;
        }
        config[name] = configText(fallback);
    }
    if (missing.length > 0) {
        throw new StackConfigError(
            stack,
            `Stack ${stack}: missing ${missing.length === 1 ? "configuration value" : "configuration values"} ${formatKeyList(missing)}: ` +
                `Pulumi.yaml declares ${missing.length === 1 ? "it" : "them"} without a default, so pulumi up stops before the program runs. ` +
                `Set ${missing.length === 1 ? "it" : "each"} in ${path.basename(configFile)} or with pulumi config set.`,
        );
    }
}

/** Checks each stack value against its declared type and `secret` flag, as pulumi up does before it runs the program. */
function checkDeclaredTypes(stack: string, project: ProjectFile, document: import("yaml").Document, { config, values }: StackValues): void {
    for (const key of Object.keys(project.config).sort()) {
        const declaration = project.config[key];
        const name = fullKey(project.name, key);
        const entry = values.get(name);
        if (declaration.type === undefined || entry === undefined) {
            continue;
        }
        const { raw, checked } = entry;
        if (containsSecure(raw) && checked === undefined) {
            continue;
        }
        if (declaration.secret && !containsSecure(raw)) {
            throw new StackConfigError(
                stack,
                `Stack ${stack}: Invalid ${name}: Pulumi.yaml declares it secret, so pulumi up requires a secure: value. Set it with pulumi config set --secret ${name} ...`,
            );
        }
        if (declaration.type === "string" && typeof raw === "number") {
            checkUnquotedNumber(stack, name, entry.key, raw, document);
        }
        // NOTE: a secret value is checked through its placeholder, which has the declared type, so its real type is not checked.
        const value = typeof checked === "object" && checked !== null ? checked : config[name];
        if (!matchesType(declaration.type, declaration.items, value)) {
            const typeName = fullTypeName(declaration.type, declaration.items);
            throw new StackConfigError(
                stack,
                `Stack ${stack}: Invalid ${name} ${JSON.stringify(raw)}: Pulumi.yaml declares it as ${typeName}, so pulumi up rejects it. ` +
                    `${TYPE_FIXES[typeName] ?? `Write it as ${typeName}`}.`,
            );
        }
    }
}

/**
 * Rejects an unquoted YAML number for a `string` key when its text changes on the way to the
 * program. The yaml package reads `012345678901` or `2.1e11` as a number, and the Pulumi CLI's
 * config.Value (sdk/go/common/resource/config, Pulumi 3.x) stores a YAML number as its JSON text,
 * so the leading zero is dropped or the exponent expanded. A number whose text survives, such as
 * `111122223333`, passes.
 */
function checkUnquotedNumber(stack: string, name: string, key: string, value: number, document: import("yaml").Document): void {
    const node = document.getIn(["config", key], true) as { source?: unknown } | undefined;
    const source = typeof node?.source === "string" ? node.source : String(value);
    if (source === String(value)) {
        return;
    }
    // NOTE: the Pulumi CLI's YAML parser (go-yaml) may read a leading 0 as octal, so the number it
    // passes can differ from this one. This was not compared with a real Pulumi CLI.
    throw new StackConfigError(
        stack,
        `Stack ${stack}: Invalid ${name} ${source}: YAML reads the unquoted value as the number ${String(value)}, so the program would not ` +
            `receive the text as written. Quote it: ${key}: "${source}".`,
    );
}

/**
 * Returns the directory of this package's own Pulumi.yaml: the repository root in a clone, the
 * package directory when installed from npm.
 */
function packageDir(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml")) && path.dirname(dir) !== dir) {
        dir = path.dirname(dir);
    }
    return dir;
}

/**
 * Returns the current directory when it contains a Pulumi.yaml, else this package's directory,
 * so that `npx cloudbreak-role plan --config-file FILE` works in a project that only installed
 * the package.
 */
export function defaultProjectDir(): string {
    const cwd = process.cwd();
    return fs.existsSync(path.join(cwd, "Pulumi.yaml")) ? cwd : packageDir();
}

/**
 * Returns the compiled program (`dist/index.js`) in place of a missing `index.ts`, because the
 * published package ships only the compiled program.
 */
function compiledProgramFallback(programPath: string, projectDir: string): string {
    if (!programPath.endsWith(".ts") || fs.existsSync(programPath)) {
        return programPath;
    }
    const relative = path.relative(projectDir, programPath).replace(/\.ts$/, ".js");
    const compiled = path.join(projectDir, "dist", relative);
    return fs.existsSync(compiled) ? compiled : programPath;
}

/**
 * Checks that the program file exists before plan loads it. Without `main:`, the Node.js
 * language host runs the project directory: its package.json `main`, index.ts or index.js.
 */
function checkProgramExists(stack: string, project: ProjectFile, projectDir: string, programPath: string): void {
    const projectFile = path.join(projectDir, "Pulumi.yaml");
    if (project.main !== undefined) {
        if (!fs.existsSync(programPath)) {
            throw new StackConfigError(
                stack,
                `Stack ${stack}: the program ${programPath} does not exist (main: ${project.main} in ${projectFile}). ` +
                    "Correct main: in Pulumi.yaml, or pass --cwd with the directory that contains the program.",
            );
        }
        return;
    }
    const candidates = ["package.json", "index.ts", "index.js"].map((name) => path.join(programPath, name));
    if (!candidates.some((candidate) => fs.existsSync(candidate))) {
        throw new StackConfigError(
            stack,
            `Stack ${stack}: ${programPath} contains no program: ${projectFile} sets no main:, so pulumi up runs index.ts, index.js or ` +
                "the main of package.json in the project directory, and none exists. Add main: with the program file to Pulumi.yaml.",
        );
    }
}

/** Replaces each `secure:` leaf with a placeholder, numbered from 1 within the stack. */
function replaceSecure(value: unknown, placeholders: Record<string, string>, name: string): unknown {
    if (isSecure(value)) {
        const placeholder = `${PLACEHOLDER_PREFIX}${Object.keys(placeholders).length + 1}`;
        placeholders[placeholder] = name;
        return placeholder;
    }
    if (Array.isArray(value)) {
        return value.map((item) => replaceSecure(item, placeholders, name));
    }
    if (isRecord(value)) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceSecure(item, placeholders, name)]));
    }
    return value;
}
