// The extension as a user meets it, through the vscode API, on the fixture workspace
// (test/e2e/workspace, expectations in its expected.json).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PipelintApi } from '../../../client/src/client';
import {
  codeOf,
  EXTENSION_ID,
  expectedFiles,
  fixtureUri,
  openFixture,
  pipelintDiagnostics,
  setText,
  waitFor,
  waitForCodes,
} from './helpers';

let api: PipelintApi;

describe('pipelint extension', () => {
  before(async () => {
    const ext = vscode.extensions.getExtension<PipelintApi>(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is installed`);
    api = await ext.activate();
    await waitFor('the server to run', () => api.state === 'running');
  });

  it('registers its commands', async () => {
    const all = new Set(await vscode.commands.getCommands(true));
    for (const id of ['pipelint.restartServer', 'pipelint.showOutput', 'pipelint.fixAll', 'pipelint.showDiagram'])
      assert.ok(all.has(id), id);
  });

  for (const file of expectedFiles()) {
    it(`${file.path}: reports ${file.codes.join(', ')}`, async () => {
      const uris = await openFixture(file.path);
      await waitForCodes(uris, file.codes);
    });

    if (file.quickfix) {
      const code = file.quickfix;
      it(`${file.path}: the preferred ${code} quick fix changes the text and the finding goes away`, async () => {
        const [uri] = await openFixture(file.path);
        const doc = await vscode.workspace.openTextDocument(uri);
        const before = doc.getText();
        const diag = await waitFor(`${code} on ${file.path}`, () =>
          pipelintDiagnostics(uri).find((d) => codeOf(d) === code),
        );
        const actions =
          (await vscode.commands.executeCommand<vscode.CodeAction[]>(
            'vscode.executeCodeActionProvider',
            uri,
            diag.range,
            vscode.CodeActionKind.QuickFix.value,
            10,
          )) ?? [];
        // executeCodeActionProvider drops each action's `diagnostics`: the fix is the preferred one
        // (pipelint marks its safe fixes preferred; "Suppress ... on this line" never is).
        const fix = actions.find((a) => a.edit && a.isPreferred);
        assert.ok(fix, `a preferred quick fix for ${code}; got: ${actions.map((a) => a.title).join(' | ') || 'none'}`);
        assert.ok(await vscode.workspace.applyEdit(fix.edit!), 'the edit applies');
        assert.notEqual(doc.getText(), before, 'the text changed');
        await waitFor(`${code} to disappear`, () => !pipelintDiagnostics(uri).some((d) => codeOf(d) === code));
        await setText(doc, before);
        await waitForCodes([uri], file.codes);
      });

      it(`${file.path}: "pipelint: Fix All Safe Problems" fixes ${code}`, async () => {
        const [uri] = await openFixture(file.path);
        const doc = await vscode.workspace.openTextDocument(uri);
        const before = doc.getText();
        await waitForCodes([uri], [code]);
        const applied = await vscode.commands.executeCommand<number>('pipelint.fixAll');
        assert.ok(applied > 0, 'at least one fix-all action applied');
        assert.notEqual(doc.getText(), before, 'the text changed');
        await waitFor(`${code} to disappear`, () => !pipelintDiagnostics(uri).some((d) => codeOf(d) === code));
        await setText(doc, before);
        await waitForCodes([uri], file.codes);
      });
    }
  }

  it('"pipelint: Restart Server" starts a new server that reports again', async () => {
    const [file] = expectedFiles();
    const uri = fixtureUri(file.path);
    await openFixture(file.path);
    const pid = api.serverPid;
    await vscode.commands.executeCommand('pipelint.restartServer');
    await waitFor(
      'a new server',
      () => api.state === 'running' && api.serverPid !== undefined && api.serverPid !== pid,
    );
    await waitForCodes([uri], file.codes);
  });

  it('restarts the server when it dies', async () => {
    const [file] = expectedFiles();
    const uri = fixtureUri(file.path);
    await openFixture(file.path);
    const pid = await waitFor('a running server', () => api.state === 'running' && api.serverPid);
    process.kill(pid, 'SIGKILL');
    await waitFor('the client to notice', () => api.serverPid !== pid);
    await waitFor(
      'a restarted server',
      () => api.state === 'running' && api.serverPid !== undefined && api.serverPid !== pid,
    );
    await waitForCodes([uri], file.codes);
  });
});
