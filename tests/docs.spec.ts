import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");

/** Returns each field of the args interface with its JSDoc block. */
function documentedArgs(): Array<{ name: string; doc: string }> {
    const source = readFileSync(path.join(ROOT, "components", "credentialRole.ts"), "utf8");
    const start = source.indexOf("export interface CloudbreakCredentialRoleArgs {");
    const body = source.slice(start, source.indexOf("\n}\n", start));
    const fields = [...body.matchAll(/\/\*\*([\s\S]*?)\*\/\s*readonly (\w+)\??:/g)];
    return fields.map((match) => ({ name: match[2], doc: match[1] }));
}

describe("documentation", () => {
    const args = documentedArgs();

    it("finds the component's inputs", () => {
        assert.equal(args.length, 18);
    });

    for (const { name, doc } of args) {
        it(`documents ${name} with @default`, () => {
            assert.match(doc, /@default /);
        });

        it(`lists ${name} in the README inputs`, () => {
            const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
            const inputs = readme.slice(readme.indexOf("## Inputs"), readme.indexOf("## Outputs"));
            assert.ok(inputs.includes(`| \`${name}\` |`), `README Inputs table has no row for ${name}`);
        });
    }

    it("lists every output in the README", () => {
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
        const outputs = readme.slice(readme.indexOf("## Outputs"), readme.indexOf("## The plan command"));
        for (const name of ["roleArn", "roleName", "externalIds", "trustPolicy", "permissionsPolicy", "cloudbreakCredential"]) {
            assert.ok(outputs.includes(`| \`${name}\` |`), `README Outputs table has no row for ${name}`);
        }
    });
});
