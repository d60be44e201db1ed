/**
 * A long-lived client of a team index (the extension, `quipu mcp`): one `TeamIndex` whose overlay is
 * synced by one run at a time, searches that sync first when the overlay was never compared with
 * the base or the server has published another generation since, and a state the front ends show
 * (which team index, the commit it indexed, whether it answers). The state changes are reported, so
 * a front end can say once that the server went away and once that it is back, not at every search.
 */
import type { IndexOptions } from '../engine/engine';
import type { TeamAnswer } from '../engine/searcher';
import type { IndexSummary } from '../pipeline/events';
import type { SearchOptions } from '../search/search';
import type { TeamIndex, TeamStatus } from './team';

export interface TeamSessionState {
  /** "the team index <collection> at <url>" */
  description: string;
  url: string;
  collection: string;
  /** Undefined until the server was first asked. */
  available?: boolean;
  /** Why the team index is not used now (the server does not answer). */
  notice?: string;
  /** A failure the user must act on: another model on the server, a token refused, no such index. */
  error?: string;
  generation?: number;
  commit?: string;
  updatedAt?: string;
  baseFiles?: number;
  overlayFiles?: number;
  replacedFiles?: number;
}

export class TeamSession {
  private running: Promise<unknown> = Promise.resolve();
  private current: TeamSessionState;

  constructor(
    readonly team: TeamIndex,
    private readonly onChange: (state: TeamSessionState, previous: TeamSessionState) => void = () => undefined,
  ) {
    const { url, collection } = team.target;
    this.current = { description: `the team index ${collection} at ${url}`, url, collection };
  }

  get state(): TeamSessionState {
    return this.current;
  }

  get overlayDir(): string {
    return this.team.overlayDir;
  }

  /** Brings the overlay up to date against the base (one run at a time); undefined without the server. */
  sync(options: Pick<IndexOptions, 'signal' | 'onEvent'> = {}): Promise<IndexSummary | undefined> {
    return this.serial(async () => {
      try {
        const summary = await this.team.sync(options);
        await this.refreshState();
        return summary;
      } catch (error) {
        this.fail(error);
        throw error;
      }
    });
  }

  /** Base and overlay as one ranking (the overlay alone, with a notice, when the server does not answer). */
  async search(query: string, options: SearchOptions & { signal?: AbortSignal } = {}): Promise<TeamAnswer> {
    try {
      await this.running.catch(() => undefined);
      const live = await this.team.liveGeneration();
      if (live !== undefined && live !== this.team.syncedGeneration) await this.sync({ signal: options.signal });
      const answer = await this.team.search(query, { ...options, sync: false });
      if (answer.notice) this.update({ available: false, notice: answer.notice, error: undefined });
      else if (this.current.available !== true || this.current.error) await this.refreshState();
      return answer;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  /** The server's view now (its generation, commit, catalog size) and the overlay's. */
  async status(): Promise<TeamStatus> {
    try {
      const status = await this.team.status();
      this.update(stateOf(status));
      return status;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  close(): Promise<void> {
    return this.team.close();
  }

  private async refreshState(): Promise<void> {
    this.update(stateOf(await this.team.status()));
  }

  private fail(error: unknown): void {
    this.update({ error: (error as Error)?.message ?? String(error) });
  }

  private update(patch: Partial<TeamSessionState>): void {
    const previous = this.current;
    const next = { ...previous, ...patch };
    for (const key of Object.keys(next) as (keyof TeamSessionState)[]) if (next[key] === undefined) delete next[key];
    this.current = next;
    if (JSON.stringify(previous) !== JSON.stringify(next)) this.onChange(next, previous);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.running.catch(() => undefined).then(work);
    this.running = next.catch(() => undefined);
    return next;
  }
}

function stateOf(status: TeamStatus): Partial<TeamSessionState> {
  return {
    available: status.available,
    notice: status.available ? undefined : status.notice,
    error: undefined,
    ...(status.available ? { generation: status.generation, commit: status.commit, updatedAt: status.updatedAt, baseFiles: status.baseFiles } : {}),
    overlayFiles: status.overlayFiles,
    replacedFiles: status.replacedFiles,
  };
}
