/** Placeholder until the plan command lands. */
export async function runPlanCommand(_argv: string[]): Promise<number> {
    process.stderr.write("cloudbreak-role plan is not implemented yet.\n");
    return 1;
}
