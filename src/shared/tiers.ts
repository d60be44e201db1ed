/** The words every front end uses for an index's chunks by tier (the status report, `quipu mcp`'s `status`). */

/** "740 fast, 494 deep (40% deep)", "1,234 deep", "1,234 fast". */
export function describeTierCounts(counts: { fast: number; deep: number }): string {
  const n = (count: number) => count.toLocaleString('en-US');
  if (counts.fast === 0) return `${n(counts.deep)} deep`;
  if (counts.deep === 0) return `${n(counts.fast)} fast`;
  return `${n(counts.fast)} fast, ${n(counts.deep)} deep (${Math.floor((100 * counts.deep) / (counts.fast + counts.deep))}% deep)`;
}
