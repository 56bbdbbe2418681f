/** Placeholder until the verify command lands. */
export async function runVerifyCommand(_argv: string[]): Promise<number> {
    process.stderr.write("cloudbreak-role verify is not implemented yet.\n");
    return 1;
}
