#!/usr/bin/env node
// Runs the compiled CLI when the package is built (as published), else the TypeScript source
// transpiled without type-checking, through a disk cache (in a clone of the repository).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const compiled = path.join(__dirname, "..", "dist", "cli", "main.js");
let cli;
if (fs.existsSync(compiled)) {
    cli = require(compiled);
} else {
    require("../cli/transpile-cache").register({
        project: path.join(__dirname, "..", "tsconfig.json"),
        cacheDir: path.join(__dirname, "..", "node_modules", ".cache", "cloudbreak-role"),
    });
    cli = require(path.join(__dirname, "..", "cli", "main.ts"));
}
cli.main(process.argv.slice(2)).then(
    (status) => process.exit(status),
    (error) => {
        process.stderr.write(`${error && error.message ? error.message : String(error)}\n`);
        process.exit(1);
    },
);
