/**
 * How long a query may be. The embedding model reads its first 256 tokens (about 1,000 characters of
 * English); beyond a few times that, a query is a pasted file, not a question, and only costs memory
 * (a 10 MB query held the MCP server at 1 GB). Every search entry point in core asks this first, so the
 * CLI, the MCP tool, the LM tool and the panel refuse the same queries with the same message, which
 * names the length and never repeats the query.
 */
export const MAX_QUERY_CHARS = 2000;

export class QueryTooLongError extends Error {}

export function checkQueryLength(query: string): void {
  if (query.length <= MAX_QUERY_CHARS) return;
  throw new QueryTooLongError(
    `The query is ${query.length.toLocaleString('en-US')} characters long; a query may be at most ${MAX_QUERY_CHARS.toLocaleString('en-US')} ` +
      '(the model reads about the first 1,000): shorten it to the words that say what to look for.',
  );
}
