/**
 * What names a team index: its store URL, its collection, the variable holding its token, and the
 * error for a wrong one. Apart from chroma-store.ts so the CLI can name them without loading the
 * Chroma client (bench/MEMORY.md: what the CLI loads at start).
 */

/** Environment variable holding the server's token (sent as a bearer token; never from settings). */
export const TEAM_TOKEN_ENV = 'QUIPU_TEAM_TOKEN';

export interface ChromaLocation {
  host: string;
  port: number;
  ssl: boolean;
}

export class TeamIndexError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TeamIndexError';
  }
}

/** `chroma://host:port` (plain HTTP) or `chroma+https://host:port` (TLS); port 8000 by default. */
export function parseStoreUrl(url: string): ChromaLocation {
  const match = /^chroma(\+https)?:\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url.trim());
  if (!match) throw new TeamIndexError(`${url} is not a store URL: expected chroma://host:port or chroma+https://host:port`);
  return { ssl: Boolean(match[1]), host: match[2], port: match[3] ? Number(match[3]) : 8000 };
}

/** Chroma's collection names: 3–512 of [a-zA-Z0-9._-], starting and ending with a letter or digit. */
export function checkCollectionName(name: string): string {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]{1,500}[a-zA-Z0-9]$/.test(name)) throw new TeamIndexError(`${JSON.stringify(name)} is not a collection name: 3 to 500 letters, digits, dots, dashes or underscores, starting and ending with a letter or digit`);
  return name;
}
