import { describe, expect, it } from 'vitest';
import { approvalConfigSchema, approvalRuleSchema, type ApprovalRule } from './approvalConfig.js';
import { commandMatches, describeRule, matchRules, namesToBind, type MatchContext } from './approvalRules.js';
import type { CommandSummary, SummarizedCommand } from './commandSummary.js';

function cmd(c: Partial<SummarizedCommand>): SummarizedCommand {
  return { written: 'x', name: 'x', type: 'Cmdlet', path: null, parameters: [], bound: [], arguments: [], ...c };
}

const linux: MatchContext = { workspace: '/home/me/project', caseInsensitivePaths: false, separator: '/' };
const rule = (r: ApprovalRule): ApprovalRule => approvalRuleSchema.parse(r);

describe('rules read commands as PowerShell resolved them', () => {
  const recurse = rule({ command: 'Remove-Item', parameters: ['Recurse'] });

  it('Remove-Item with -Recurse: bound from -Rec, from an alias (rm -r on Windows), not without it', () => {
    expect(commandMatches(recurse, cmd({ written: 'Remove-Item', name: 'Remove-Item', parameters: ['-Rec'], bound: ['Recurse', 'Path'] }))).toBe(true);
    expect(commandMatches(recurse, cmd({ written: 'rm', name: 'Remove-Item', parameters: ['-r'], bound: ['Recurse', 'Path'] }))).toBe(true);
    expect(commandMatches(recurse, cmd({ written: 'Remove-Item', name: 'Remove-Item', parameters: ['-Force'], bound: ['Force', 'Path'] }))).toBe(false);
  });

  it('a parameter the binder could not bind still counts when written as an abbreviation of it', () => {
    expect(commandMatches(recurse, cmd({ written: 'ri', name: 'Remove-Item', parameters: ['-Re'], bound: [] }))).toBe(true);
    expect(commandMatches(recurse, cmd({ written: 'ri', name: 'Remove-Item', parameters: ['-Force'], bound: [] }))).toBe(false);
  });

  it('a bound parameter decides over a look-alike abbreviation (-F bound to -Filter is not -Force)', () => {
    const force = rule({ command: 'Remove-Item', parameters: ['Force'] });
    expect(commandMatches(force, cmd({ name: 'Remove-Item', parameters: ['-Fi'], bound: ['Filter'] }))).toBe(false);
  });

  it('git push with --force (or -f, or --force=...): native words as written', () => {
    const push = rule({ command: 'git', arguments: ['push'], parameters: ['--force|-f|--force-with-lease'] });
    const git = (words: string[], params: string[] = []): SummarizedCommand =>
      cmd({ written: 'git', name: 'git', type: 'Application', path: '/usr/bin/git', arguments: words, parameters: params });
    expect(commandMatches(push, git(['push', '--force', 'origin']))).toBe(true);
    expect(commandMatches(push, git(['push', 'origin'], ['-f']))).toBe(true);
    expect(commandMatches(push, git(['push', '--force-with-lease=main']))).toBe(true);
    expect(commandMatches(push, git(['push', 'origin']))).toBe(false);
    expect(commandMatches(push, git(['pull', '--force']))).toBe(false);
  });

  it('a native program matches by name with or without its extension and by path (git.exe on Windows)', () => {
    const git = rule({ command: 'git' });
    expect(commandMatches(git, cmd({ written: 'git', name: 'git.exe', type: 'Application', path: 'C:\\Program Files\\Git\\cmd\\git.exe' }))).toBe(true);
    expect(commandMatches(git, cmd({ written: '& "C:\\x\\git.exe"', name: 'git.exe', type: 'Application' }))).toBe(true);
    expect(commandMatches(git, cmd({ written: 'gitk', name: 'gitk', type: 'Application' }))).toBe(false);
  });

  it('iex through a pipe is Invoke-Expression', () => {
    const iex = rule({ command: ['Invoke-Expression', 'Invoke-Command'] });
    expect(commandMatches(iex, cmd({ written: 'iex', name: 'Invoke-Expression' }))).toBe(true);
  });

  it('commandType native matches programs only; dynamic matches names chosen at run time', () => {
    expect(commandMatches(rule({ commandType: 'native' }), cmd({ type: 'Application' }))).toBe(true);
    expect(commandMatches(rule({ commandType: 'native' }), cmd({ type: 'Cmdlet' }))).toBe(false);
    expect(commandMatches(rule({ dynamic: true }), cmd({ written: null, name: null, type: 'Unknown' }))).toBe(true);
    expect(commandMatches(rule({ dynamic: true }), cmd({ written: 'Get-Date' }))).toBe(false);
  });

  it('outsideWorkspace: any native command outside the workspace, not inside it or in a sibling that shares its prefix', () => {
    const outside = [rule({ commandType: 'native', outsideWorkspace: true })];
    const at = (cwd: string): CommandSummary => ({ cwd, parseErrors: 0, commands: [cmd({ written: 'make', name: 'make', type: 'Application' })] });
    expect(matchRules(outside, at('/home/me/project'), linux)).toHaveLength(0);
    expect(matchRules(outside, at('/home/me/project/sub'), linux)).toHaveLength(0);
    expect(matchRules(outside, at('/home/me/project-other'), linux)).toHaveLength(1);
    expect(matchRules(outside, at('/etc'), linux)).toHaveLength(1);
    const windows: MatchContext = { workspace: 'C:\\Users\\me\\Project', caseInsensitivePaths: true, separator: '\\' };
    expect(matchRules(outside, at('c:\\users\\ME\\project\\src'), windows)).toHaveLength(0);
    expect(matchRules(outside, at('C:\\Windows'), windows)).toHaveLength(1);
  });

  it('outsideWorkspace on another host: the workspace is this machine\'s, so every directory there is outside it', () => {
    const outside = [rule({ commandType: 'native', outsideWorkspace: true })];
    const at = (cwd: string): CommandSummary => ({ cwd, parseErrors: 0, commands: [cmd({ written: 'make', name: 'make', type: 'Application' })] });
    // The same path as the local workspace names another directory on another machine.
    expect(matchRules(outside, at('/home/me/project'), { ...linux, remoteHost: true })).toHaveLength(1);
    expect(matchRules(outside, at('/srv/build'), { ...linux, workspace: null, remoteHost: true })).toHaveLength(1);
  });

  it('reports each matching rule once, with its name or a description made from it', () => {
    const rules = [rule({ name: 'no force push', command: 'git', parameters: ['--force'] }), rule({ command: 'Stop-Process' })];
    const summary: CommandSummary = {
      cwd: '/w',
      parseErrors: 0,
      commands: [cmd({ written: 'spps', name: 'Stop-Process' }), cmd({ written: 'Stop-Process', name: 'Stop-Process' }), cmd({ written: 'git', name: 'git', type: 'Application', arguments: ['--force'] })],
    };
    expect(matchRules(rules, summary, linux)).toEqual([
      { index: 0, name: 'no force push', description: 'git with --force', command: 'git' },
      { index: 1, name: 'Stop-Process', description: 'Stop-Process', command: 'spps' },
    ]);
  });
});

describe('rule config', () => {
  it('refuses a rule that names no command, and an unknown field', () => {
    const empty = approvalRuleSchema.safeParse({ parameters: ['Recurse'] });
    expect(empty.success).toBe(false);
    expect(empty.error?.issues[0]?.message).toMatch(/give "command"/);
    expect(approvalRuleSchema.safeParse({ command: 'git', paramters: ['x'] }).success).toBe(false);
    expect(approvalConfigSchema.safeParse({ rules: [], timeout: 3 }).success).toBe(false);
  });

  it('describes rules in words', () => {
    expect(describeRule(rule({ command: 'Remove-Item', parameters: ['Recurse'] }))).toBe('Remove-Item with -Recurse');
    expect(describeRule(rule({ commandType: 'native', outsideWorkspace: true }))).toBe('any native command outside the workspace');
    expect(describeRule(rule({ dynamic: true }))).toBe('any command chosen at run time');
  });
});

describe('what the session binds', () => {
  it('binds only the commands a rule asks parameters of, or all when such a rule names no command', () => {
    expect(namesToBind([rule({ command: 'Remove-Item', parameters: ['Recurse'] }), rule({ command: 'Stop-Process' })])).toEqual(['remove-item']);
    expect(namesToBind([rule({ commandType: 'cmdlet', parameters: ['Force'] })])).toBe('*');
    expect(namesToBind([rule({ command: 'git' })])).toEqual([]);
  });
});
