/**
 * The requests that each Cloudbreak client takes to register the role as a role-based credential.
 *
 * Field names and paths follow the Cloudbreak sources: the 1.x to 2.9 REST API
 * (`POST /cb/api/v1/credentials/user`), the 2.9 workspace API, the `cb` CLI 2.x, the
 * cloudbreak-shell 1.x and the `cdp` CLI.
 */
import { Partition } from "./policies";

/** A REST request: method, path and JSON body. */
export interface CredentialRequest {
    method: "POST";
    path: string;
    body: Record<string, unknown>;
}

/** The requests and commands with which Cloudbreak's clients create the credential for the role. */
export interface CloudbreakCredential {
    /** The credential name. */
    name: string;
    /** The role ARN that the credential carries. */
    roleArn: string;
    /** True in `aws-us-gov`, where Cloudbreak expects a GovCloud credential. */
    govCloud: boolean;
    /** Cloudbreak 1.x to 2.9: `POST /cb/api/v1/credentials/user`. */
    restV1: CredentialRequest;
    /** Cloudbreak 2.9 workspaces: `POST /cb/api/v3/{workspaceId}/credentials`. */
    restV3: CredentialRequest;
    /** The `cb` CLI of Cloudbreak 2.x. */
    cbCli: string;
    /** The cloudbreak-shell of Cloudbreak 1.x. */
    cloudbreakShell: string;
    /** The CDP CLI. */
    cdpCli: string;
}

/** Quotes a value for a POSIX shell: single quotes, with each `'` written as `'\''`. */
export function shellQuote(value: string): string {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes a value for the cloudbreak-shell (Spring Shell 1.x): double quotes, with `\` and `"`
 * escaped by a backslash.
 */
export function springShellQuote(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export interface CloudbreakCredentialOptions {
    name: string;
    roleArn: string;
    partition: Partition;
}

/** Builds the credential requests for every Cloudbreak client. */
export function buildCloudbreakCredential(options: CloudbreakCredentialOptions): CloudbreakCredential {
    const { name, roleArn } = options;
    const govCloud = options.partition === "aws-us-gov";
    const parameters = { selector: "role-based", roleArn };

    return {
        name,
        roleArn,
        govCloud,
        restV1: {
            method: "POST",
            path: "/cb/api/v1/credentials/user",
            body: { name, cloudPlatform: "AWS", parameters: govCloud ? { ...parameters, govCloud } : parameters },
        },
        restV3: {
            method: "POST",
            path: "/cb/api/v3/{workspaceId}/credentials",
            body: { name, cloudPlatform: "AWS", parameters: { ...parameters, govCloud } },
        },
        cbCli: [
            "cb credential create",
            govCloud ? "aws-gov" : "aws",
            "role-based --name",
            shellQuote(name),
            "--role-arn",
            shellQuote(roleArn),
        ].join(" "),
        cloudbreakShell: `credential create --AWS --name ${springShellQuote(name)} --roleArn ${springShellQuote(roleArn)}`,
        cdpCli: [
            "cdp environments",
            govCloud ? "create-aws-gov-cloud-credential" : "create-aws-credential",
            "--credential-name",
            shellQuote(name),
            "--role-arn",
            shellQuote(roleArn),
        ].join(" "),
    };
}
