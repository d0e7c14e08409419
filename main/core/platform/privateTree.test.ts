import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { onPosix } from '../../../test/platformGates.js';
import { tightenTree } from './privateTree.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'pp-tighten-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.runIf(onPosix)('tightenTree (POSIX modes)', () => {
  it('clears group and other bits below the root, keeps the user bits, and names what it changed', () => {
    const data = path.join(root, 'data');
    mkdirSync(path.join(data, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(data, 'a', 'b', 'obj'), 'x', { mode: 0o444 });
    writeFileSync(path.join(data, 'a', 'run.sh'), 'x', { mode: 0o755 });
    writeFileSync(path.join(data, 'ok'), 'x', { mode: 0o600 });
    chmodSync(path.join(data, 'a', 'run.sh'), 0o755);
    chmodSync(path.join(data, 'a'), 0o755);
    chmodSync(path.join(data, 'a', 'b'), 0o775);
    const report = tightenTree(data, process.getuid?.());
    expect(report.failed).toEqual([]);
    expect(report.tightened).toBe(4);
    expect(report.examples[0]).toBe('0755 a');
    expect(statSync(path.join(data, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'a', 'b')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'a', 'b', 'obj')).mode & 0o777).toBe(0o400);
    expect(statSync(path.join(data, 'a', 'run.sh')).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(data, 'ok')).mode & 0o777).toBe(0o600);
    expect(tightenTree(data, process.getuid?.()).tightened).toBe(0);
  });

  it('never follows a symbolic link out of the tree (its target keeps its mode)', () => {
    const data = path.join(root, 'data');
    mkdirSync(data);
    const outside = path.join(root, 'outside.txt');
    const outsideDir = path.join(root, 'outside-dir');
    writeFileSync(outside, 'x', { mode: 0o644 });
    mkdirSync(outsideDir, { mode: 0o755 });
    chmodSync(outside, 0o644);
    chmodSync(outsideDir, 0o755);
    symlinkSync(outside, path.join(data, 'link'));
    symlinkSync(outsideDir, path.join(data, 'dirlink'));
    expect(tightenTree(data, process.getuid?.())).toEqual({ tightened: 0, examples: [], failed: [] });
    expect(statSync(outside).mode & 0o777).toBe(0o644);
    expect(statSync(outsideDir).mode & 0o777).toBe(0o755);
  });

  it('reports an entry that lets others in but is not ours, and leaves it alone', () => {
    const data = path.join(root, 'data');
    mkdirSync(data);
    writeFileSync(path.join(data, 'theirs'), 'x', { mode: 0o644 });
    chmodSync(path.join(data, 'theirs'), 0o644);
    const notUs = (process.getuid?.() ?? 0) + 12345;
    const report = tightenTree(data, notUs);
    expect(report.tightened).toBe(0);
    expect(report.failed).toEqual([expect.stringMatching(/^theirs \(mode 0644, owned by uid \d+, not you\)$/)]);
    expect(statSync(path.join(data, 'theirs')).mode & 0o777).toBe(0o644);
  });
});
