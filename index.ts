/**
 * The cloudbreak-role program: one stack describes one end-user AWS account.
 *
 * It reads the `cloudbreak-role:` keys of the stack configuration, creates one
 * CloudbreakCredentialRole and exports what Cloudbreak needs to register the credential.
 */
import * as pulumi from "@pulumi/pulumi";

import { CloudbreakCredentialRole } from "./components/credentialRole";
import { CONFIG_NAMESPACE, RawConfigValue, parseStackSettings } from "./components/stackConfig";

/**
 * Reads the `cloudbreak-role:` keys from the Pulumi runtime, with their secret flags. The
 * language host lists secret keys in PULUMI_CONFIG_SECRET_KEYS; the SDK has no public accessor.
 */
function readProgramConfig(allConfig: Record<string, string>): Record<string, RawConfigValue> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const secretKeys = new Set<string>(JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS || "[]"));
    const config: Record<string, RawConfigValue> = {};
    for (const [fullKey, value] of Object.entries(allConfig)) {
        if (fullKey.startsWith(prefix)) {
            config[fullKey.slice(prefix.length)] = { value, secret: secretKeys.has(fullKey) };
        }
    }
    return config;
}

/** Creates the stack's role and returns the stack outputs. */
export = async () => {
    const region = new pulumi.Config("aws").get("region");
    const allConfig = pulumi.runtime.allConfig();
    const settings = parseStackSettings(pulumi.getStack(), readProgramConfig(allConfig), region, Object.keys(allConfig));
    const args = settings.externalIdsSecret
        ? { ...settings.args, externalIds: pulumi.secret(settings.args.externalIds) }
        : settings.args;

    const role = new CloudbreakCredentialRole("cloudbreak", args);

    return {
        accountId: settings.accountId,
        roleArn: role.roleArn,
        roleName: role.roleName,
        externalIds: role.externalIds,
        trustPolicy: role.trustPolicy,
        permissionsPolicy: role.permissionsPolicy,
        cloudbreakCredential: role.cloudbreakCredential,
    };
};
