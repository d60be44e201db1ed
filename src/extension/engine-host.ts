/**
 * The engine the extension runs on, and the team index session when one is set: made on first use,
 * after asking (once per destination) before anything leaves the machine; closed and made again when
 * settings restart them. What lives as long as one engine is in a restart scope (scoped-disposables.ts).
 */
import * as vscode from 'vscode';
import type { RemoteEmbedderSettings } from '../core/config/embedder-settings';
import { describeRuntime, type RuntimeInfo } from '../core/embed/runtime';
import { QuipuEngine } from '../core/engine/engine';
import { TeamIndex, type TeamStatus } from '../core/team/team';
import { TeamSession, type TeamSessionState } from '../core/team/team-session';
import { allowedOnce } from './consent';
import type { WorkspaceFolderIndex } from './folders';
import { ScopedDisposables } from './scoped-disposables';
import { engineConfig, tierPlanOf, type QuipuSettings } from './settings';

/** The secret-storage key of the remote embedder's API key (command "Quipu: Set Embedding API Key"). */
export const EMBEDDER_API_KEY_SECRET = 'quipu.embedder.apiKey';
const CONFIRMED_ENDPOINTS_KEY = 'quipu.embedder.confirmedEndpoints';
/** The secret-storage key of the team index's token (command "Quipu: Set Team Index Token"). */
export const TEAM_TOKEN_SECRET = 'quipu.teamIndex.token';
const CONFIRMED_TEAM_KEY = 'quipu.teamIndex.confirmedServers';

export class EngineHost {
  private engine: Promise<QuipuEngine> | undefined;
  private team: Promise<TeamSession> | undefined;
  /** The engine, and what lives as long as it: closed at a restart. */
  private engineScope = new ScopedDisposables();
  /** The team session: closed when the team settings or token change, and with the engine. */
  private teamScope = new ScopedDisposables();
  private runtimeLogged = false;
  /** Why no engine starts (the model is missing, the endpoint was not allowed), until one does. */
  engineProblem: string | undefined;
  teamState: TeamSessionState | undefined;
  /** Why the team index cannot be used at all (not allowed, refused), until the settings change. */
  teamProblem: string | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly settings: () => QuipuSettings,
    private readonly teamFolder: () => WorkspaceFolderIndex | undefined,
    /** Called when a problem, or the team index's state, changes. */
    private readonly changed: () => void,
  ) {}

  async getEngine(): Promise<QuipuEngine> {
    if (!this.engine) {
      const created = this.remoteSettings()
        .then((embedder) =>
          QuipuEngine.create({ ...engineConfig(this.settings()), embedder }, { modelCacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'models').fsPath }),
        )
        .then((engine) => {
          // Fewer tiers than asked for (a remote embedder, a missing static model): said once per engine; the status shows it too.
          const note = tierPlanOf(this.settings()).note ?? engine.tierNote;
          if (note) this.log.warn(`Search tiers: ${note}.`);
          return engine;
        })
        .catch((error: unknown) => {
          this.engine = undefined;
          this.engineProblem = (error as Error).message;
          this.changed();
          throw error;
        });
      this.engine = created;
      this.engineScope.push({ dispose: () => created.then((engine) => engine.close()) });
    }
    const engine = await this.engine;
    if (!this.runtimeLogged) {
      this.runtimeLogged = true;
      void this.embeddingRuntime().then((info) => {
        if (info) this.log[info.backend === 'native' ? 'info' : 'warn'](`Embedding with the ${describeRuntime(info)}.`);
      });
    }
    if (this.engineProblem) {
      this.engineProblem = undefined;
      this.changed();
    }
    return engine;
  }

  /** Which ONNX Runtime embeds (native, or WebAssembly and why); undefined when no engine starts. */
  async embeddingRuntime(): Promise<RuntimeInfo | undefined> {
    try {
      return await (await this.getEngine()).runtime();
    } catch (error) {
      this.log.warn(`Could not tell which ONNX Runtime embeds: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** Set when searches use a team index: the session, asked about once per server and collection. */
  async getTeam(): Promise<TeamSession | undefined> {
    const target = this.settings().teamIndex;
    const entry = this.teamFolder();
    if (!target || !entry) return undefined;
    if (this.teamProblem) throw new Error(this.teamProblem);
    if (!this.team) {
      const created = (async () => {
        const allowed = await allowedOnce(
          this.context,
          CONFIRMED_TEAM_KEY,
          `${target.url} ${target.collection}`,
          `Quipu will search the team index ${target.collection} at ${target.url}: your searches (as embeddings) and the paths of files changed in ${entry.folder.name} are sent to that server. Allow this server?`,
        );
        if (!allowed) throw new TeamNotAllowedError(`Searching the team index at ${target.url} was not allowed. Clear "quipu.teamIndex.url" to search this machine's indexes only.`);
        // Secret storage first, else QUIPU_TEAM_TOKEN (read by the store); never the settings.
        const token = await this.context.secrets.get(TEAM_TOKEN_SECRET);
        const engine = await this.getEngine();
        const team = TeamIndex.for(engine, entry.folder.uri.fsPath, { ...target, ...(token ? { token } : {}) }, { overlayDir: entry.indexDir });
        this.log.info(`Searches use the team index ${target.collection} at ${target.url} (overlay of ${entry.folder.name} in ${entry.indexDir}).`);
        return new TeamSession(team, (state, previous) => this.teamChanged(state, previous));
      })().catch((error: unknown) => {
        this.team = undefined;
        if (error instanceof TeamNotAllowedError) this.teamProblem = error.message;
        this.changed();
        throw error;
      });
      this.team = created;
      this.teamScope.push({ dispose: () => created.then((team) => team.close()) });
    }
    return this.team;
  }

  /** The team index's status now (the report); undefined when none is set. */
  async teamStatus(): Promise<TeamStatus | undefined> {
    const session = await this.getTeam().catch(() => undefined);
    return session ? session.status().catch(() => undefined) : undefined;
  }

  /**
   * Settings changed in a way that needs new worker pools or a new model: the next use makes a new
   * engine. `stopUsing` (cancelling the run going) is awaited before the old one is closed.
   */
  async restartEngine(stopUsing: () => Promise<void>): Promise<void> {
    const engineScope = this.engineScope;
    const teamScope = this.teamScope;
    this.engineScope = new ScopedDisposables();
    this.teamScope = new ScopedDisposables();
    this.engine = undefined;
    this.team = undefined;
    this.teamState = undefined;
    this.teamProblem = undefined;
    this.engineProblem = undefined;
    await stopUsing();
    await teamScope.dispose();
    await engineScope.dispose();
  }

  /** The team index settings or its token changed: a new session at the next use (the engine stays). */
  async restartTeam(stopUsing: () => Promise<void>): Promise<void> {
    const teamScope = this.teamScope;
    this.teamScope = new ScopedDisposables();
    this.team = undefined;
    this.teamState = undefined;
    this.teamProblem = undefined;
    await stopUsing();
    await teamScope.dispose();
  }

  async dispose(): Promise<void> {
    this.engine = undefined;
    this.team = undefined;
    await this.teamScope.dispose();
    await this.engineScope.dispose();
  }

  /**
   * The remote endpoint from the user's settings, with the API key from secret storage when no
   * environment variable is named; asked once per endpoint before any code is sent to it.
   */
  private async remoteSettings(): Promise<RemoteEmbedderSettings | undefined> {
    const remote = this.settings().embedder;
    if (!remote) return undefined;
    const allowed = await allowedOnce(
      this.context,
      CONFIRMED_ENDPOINTS_KEY,
      `${remote.provider} ${remote.url}`,
      `Quipu will send the text of your workspace's files to ${remote.url} (model ${remote.model || 'unnamed'}) to compute embeddings. Allow this endpoint?`,
    );
    if (!allowed) throw new Error(`Embedding at ${remote.url} was not allowed. Clear "quipu.embedder.url" to embed on this machine.`);
    if (remote.apiKeyEnv) return remote;
    const apiKey = await this.context.secrets.get(EMBEDDER_API_KEY_SECRET);
    return apiKey ? { ...remote, apiKey } : remote;
  }

  /** Said once when the server stops answering, once when it is back; the status bar shows it meanwhile. */
  private teamChanged(state: TeamSessionState, previous: TeamSessionState): void {
    this.teamState = state;
    if (state.available === false && previous.available !== false && state.notice) {
      this.log.warn(state.notice);
      void vscode.window.showWarningMessage(`Quipu: ${state.notice}.`);
    } else if (state.available === true && previous.available === false) {
      this.log.info(`${state.description} answers again.`);
      void vscode.window.setStatusBarMessage(`$(check) Quipu: ${state.description} answers again`, 5000);
    }
    if (state.error && state.error !== previous.error) this.log.error(state.error);
    this.changed();
  }
}

/** The user declined the team index's server: not asked again until the settings change. */
class TeamNotAllowedError extends Error {}
