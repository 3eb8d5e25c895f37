// Commands as a table of factories (after rust-analyzer's commands.ts): each entry builds the handler
// from the context; entries that need the server also have a `disabled` variant used while it is down.
import * as vscode from 'vscode';
import type { PipelintClient } from './client';
import { showDiagram } from './diagramPanel';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('pipelint');

export interface CommandContext {
  client: PipelintClient;
}

type Handler = (...args: unknown[]) => unknown;

interface CommandFactory {
  enabled: (ctx: CommandContext) => Handler;
  /** Used while the server is not running; commands without one work in every state. */
  disabled?: (ctx: CommandContext) => Handler;
}

const serverDown =
  (ctx: CommandContext): Handler =>
  async () => {
    const pick = await vscode.window.showWarningMessage(
      `pipelint: the server is ${ctx.client.state === 'stopped' ? 'stopped' : 'not ready yet'}.`,
      'Restart Server',
      'Show Output',
    );
    if (pick === 'Restart Server') await ctx.client.restart();
    if (pick === 'Show Output') ctx.client.output.show(true);
  };

/** Applies every safe fix pipelint offers for the document; returns how many actions were applied. */
export async function fixAll(document: vscode.TextDocument): Promise<number> {
  const whole = new vscode.Range(0, 0, document.lineCount, 0);
  const actions =
    (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider',
      document.uri,
      whole,
      FIX_ALL_KIND.value,
      10,
    )) ?? [];
  let applied = 0;
  for (const action of actions) {
    if (!('kind' in action) || !action.kind || !FIX_ALL_KIND.contains(action.kind)) continue;
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) continue;
    if (action.command)
      await vscode.commands.executeCommand(action.command.command, ...((action.command.arguments ?? []) as unknown[]));
    applied++;
  }
  return applied;
}

export const COMMANDS: Record<string, CommandFactory> = {
  'pipelint.restartServer': {
    enabled: (ctx) => () => ctx.client.restart(),
  },
  'pipelint.showOutput': {
    enabled: (ctx) => () => ctx.client.output.show(true),
  },
  'pipelint.fixAll': {
    enabled: () => async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) return 0;
      const n = await fixAll(editor.document);
      if (n === 0) void vscode.window.setStatusBarMessage('pipelint: no safe fixes', 3000);
      return n;
    },
    disabled: serverDown,
  },
  'pipelint.showDiagram': {
    enabled:
      () =>
      (...args) =>
        showDiagram(...args),
    disabled: serverDown,
  },
};

/** Registers every command once; each call dispatches to the variant for the server's current state. */
export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([id, factory]) => {
    const enabled = factory.enabled(ctx);
    const disabled = factory.disabled?.(ctx);
    return vscode.commands.registerCommand(id, (...args: unknown[]) =>
      (ctx.client.state === 'running' || !disabled ? enabled : disabled)(...args),
    );
  });
}
