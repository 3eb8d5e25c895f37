// Starts the pipelint language server (dist/server.js, stdio) and keeps it alive: when it dies, it is
// restarted with a growing delay, the user is told once, and after too many deaths in a row it is left
// stopped until the Restart command.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type DocumentSelector,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { getSettings, SECTION } from './config';

export type ServerState = 'starting' | 'running' | 'restarting' | 'stopped';

/** What `activate` returns to other extensions and to the e2e suite. */
export interface PipelintApi {
  readonly state: ServerState;
  readonly onDidChangeState: vscode.Event<ServerState>;
  /** Process id of the running server, if any. */
  readonly serverPid: number | undefined;
}

export const DOCUMENT_SELECTOR: DocumentSelector = [
  { scheme: 'file', language: 'python' },
  { scheme: 'untitled', language: 'python' },
  { language: 'typescript' },
  { language: 'typescriptreact' },
  { language: 'javascript' },
  { language: 'javascriptreact' },
  { notebook: 'jupyter-notebook', language: 'python' },
];

/** Delays before restart number 1, 2, ...; past the last one the server stays down. */
const BACKOFF_MS = [500, 2000, 5000, 15000, 30000];
/** A server that stayed up this long counts as healthy again: the backoff starts over. */
const HEALTHY_AFTER_MS = 3 * 60_000;

export class PipelintClient implements PipelintApi, vscode.Disposable {
  private client: LanguageClient | undefined;
  private _state: ServerState = 'stopped';
  private readonly stateEmitter = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private crashes = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private toldUser = false;
  private disposed = false;
  /** Set once the current start attempt's death was handled (close handler and start() may both see it). */
  private deathHandled = false;

  constructor(
    private readonly context: vscode.ExtensionContext,
    readonly output: vscode.LogOutputChannel,
  ) {}

  get state(): ServerState {
    return this._state;
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  get serverPid(): number | undefined {
    return this._state === 'running' ? this.client?.serverProcess?.pid : undefined;
  }

  async start(): Promise<void> {
    if (this.disposed) return;
    this.clearTimer();
    this.setState(this.crashes > 0 ? 'restarting' : 'starting');
    this.deathHandled = false;
    const client = this.client ?? this.create();
    this.client = client;
    try {
      await client.start();
      this.startedAt = Date.now();
    } catch (err) {
      this.output.error(`pipelint server failed to start: ${String(err)}`);
      this.onServerDied();
    }
  }

  /** User-asked restart: forgets earlier crashes and builds a fresh client (settings re-read). */
  async restart(): Promise<void> {
    this.clearTimer();
    this.crashes = 0;
    await this.stopClient();
    this.client = undefined;
    await this.start();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearTimer();
    await this.stopClient();
    this.client = undefined;
    this.stateEmitter.dispose();
  }

  private create(): LanguageClient {
    const settings = getSettings();
    const serverModule = settings.server.path || this.context.asAbsolutePath(path.join('dist', 'server.js'));
    if (!fs.existsSync(serverModule)) this.output.error(`pipelint server not found at ${serverModule}`);
    else this.output.info(`starting the pipelint server: ${serverModule}`);
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.stdio },
      debug: {
        module: serverModule,
        transport: TransportKind.stdio,
        options: { execArgv: ['--nolazy', '--inspect=6011'] },
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      outputChannel: this.output,
      traceOutputChannel: this.output,
      // The server pulls its settings with workspace/configuration; this sends didChangeConfiguration
      // so it knows when to drop its cache.
      // eslint-disable-next-line @typescript-eslint/no-deprecated -- the push is how the server hears of changes
      synchronize: { configurationSection: SECTION },
      // Untrusted workspaces are supported: the server only reads files and never runs them.
      initializationOptions: { trusted: vscode.workspace.isTrusted },
      errorHandler: {
        error: (_error, _message, count) => ({
          action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        }),
        closed: () => {
          // Restarts are ours (with backoff, below), so the library neither restarts nor pops a message.
          if (client === this.client) queueMicrotask(() => this.onServerDied());
          return { action: CloseAction.DoNotRestart, handled: true };
        },
      },
    };
    const client = new LanguageClient(SECTION, 'pipelint', serverOptions, clientOptions);
    client.onDidChangeState((e) => {
      if (client !== this.client) return;
      if (e.newState === State.Running) {
        this.output.info(`pipelint server running (pid ${client.serverProcess?.pid ?? '?'})`);
        this.setState('running');
      }
    });
    return client;
  }

  private onServerDied(): void {
    if (this.disposed || this.restartTimer || this.deathHandled) return;
    this.deathHandled = true;
    if (this.startedAt && Date.now() - this.startedAt > HEALTHY_AFTER_MS) this.crashes = 0;
    this.startedAt = 0;
    const delay = BACKOFF_MS[this.crashes];
    this.crashes++;
    if (delay === undefined) {
      this.setState('stopped');
      this.output.error(`pipelint server died ${this.crashes - 1} times in a row; not restarting.`);
      void vscode.window
        .showErrorMessage(
          'The pipelint server keeps stopping. It will not be restarted automatically.',
          'Show Output',
          'Restart',
        )
        .then((pick) => {
          if (pick === 'Show Output') this.output.show(true);
          if (pick === 'Restart') void this.restart();
        });
      return;
    }
    this.setState('restarting');
    this.output.warn(`pipelint server stopped; restart ${this.crashes} in ${delay} ms.`);
    if (!this.toldUser) {
      this.toldUser = true;
      void vscode.window
        .showWarningMessage('The pipelint server stopped unexpectedly and is being restarted.', 'Show Output')
        .then((pick) => pick && this.output.show(true));
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.start();
    }, delay);
  }

  private async stopClient(): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      if (client.needsStop()) await client.stop(2000);
    } catch (err) {
      this.output.warn(`stopping the pipelint server: ${String(err)}`);
    }
    this.setState('stopped');
  }

  private clearTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private setState(state: ServerState): void {
    if (state === this._state) return;
    this._state = state;
    if (!this.disposed) this.stateEmitter.fire(state);
    void vscode.commands.executeCommand('setContext', 'pipelint.serverRunning', state === 'running');
  }
}
