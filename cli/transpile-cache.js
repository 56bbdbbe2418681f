"use strict";
/**
 * A require hook for `.ts` files that transpiles without type-checking and keeps the output in
 * `node_modules/.cache/cloudbreak-role/`. A warm run loads no TypeScript compiler at all, which
 * saves about a quarter of a second per start over ts-node (see docs/benchmarks.md).
 *
 * The cache key covers the file name and source, the tsconfig.json text and the TypeScript
 * version, so any change to them transpiles again.
 */
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

/** Registers the hook unless a `.ts` hook (ts-node, or this one) is registered already. */
function register({ project, cacheDir }) {
    if (require.extensions[".ts"] !== undefined) {
        return;
    }
    const tsconfigText = fs.readFileSync(project, "utf8");
    const typescriptVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")).version;
    let typescript;
    let compilerOptions;

    function transpile(source, filename) {
        if (typescript === undefined) {
            typescript = require("typescript");
            const parsed = typescript.parseJsonConfigFileContent(
                typescript.readConfigFile(project, typescript.sys.readFile).config,
                typescript.sys,
                path.dirname(project),
            );
            compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true, declaration: false, declarationMap: false, noEmit: false };
        }
        return typescript.transpileModule(source, { compilerOptions, fileName: filename, reportDiagnostics: false }).outputText;
    }

    require.extensions[".ts"] = (module, filename) => {
        const source = fs.readFileSync(filename, "utf8");
        const key = crypto.createHash("sha256").update(`${typescriptVersion}\0${tsconfigText}\0${filename}\0${source}`).digest("hex");
        const cached = path.join(cacheDir, `${key}.js`);
        let output;
        try {
            output = fs.readFileSync(cached, "utf8");
        } catch {
            output = transpile(source, filename);
            try {
                fs.mkdirSync(cacheDir, { recursive: true });
                // Write then rename, so a concurrent run never reads a partial file.
                const temporary = `${cached}.${process.pid}.tmp`;
                fs.writeFileSync(temporary, output);
                fs.renameSync(temporary, cached);
            } catch {
                // A read-only tree only loses the cache; the output above is still used.
            }
        }
        module._compile(output, filename);
    };
}

module.exports = { register };
