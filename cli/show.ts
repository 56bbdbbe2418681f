/** Placeholder until the show command lands. */
export async function runShowCommand(_argv: string[]): Promise<number> {
    process.stderr.write("cloudbreak-role show is not implemented yet.\n");
    return 1;
}
