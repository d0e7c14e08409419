import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// .github/workflows/ci.yml cannot run here; this keeps it in step with what does run: the README's
// test command (which .ci/run calls) and the three platforms and installers the tray app ships for.

const root = path.resolve(import.meta.dirname, '..');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}
interface Job {
  'runs-on': string;
  if?: string;
  needs?: string;
  strategy?: { matrix?: { os?: string[] } };
  steps: Step[];
}

const workflow = yaml.load(readFileSync(path.join(root, '.github/workflows/ci.yml'), 'utf8')) as { on: Record<string, unknown>; jobs: Record<string, Job> };

/** The README's test command: the shell block under **Test**. */
function readmeTestCommand(): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const m = /\*\*Test\*\*[\s\S]*?```sh\n([^\n]+)\n```/.exec(readme);
  if (!m) throw new Error('README has no **Test** command block');
  return m[1]!.trim();
}

describe('the GitHub workflow', () => {
  it('runs the README test command, which .ci/run runs too', () => {
    const command = readmeTestCommand();
    expect(command).toBe('npm ci && npm test');
    const ciRun = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ciRun.trimEnd().split('\n').at(-1)).toBe(command);
    const runs = workflow.jobs.test!.steps.map((s) => s.run ?? '');
    // Split in two on GitHub so Playwright's Chromium is installed between them.
    expect(runs).toContain('npm ci');
    expect(runs.filter((r) => /(^|\s)npm test$/.test(r))).toHaveLength(2);
  });

  it('tests on Windows, macOS and Linux, with the Electron binary fetched, the Electron test under a display on Linux', () => {
    expect(workflow.jobs.test!.strategy?.matrix?.os?.sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    const runs = workflow.jobs.test!.steps.map((s) => s.run ?? '');
    expect(runs.indexOf('node node_modules/electron/install.js')).toBeGreaterThan(runs.indexOf('npm ci'));
    expect(workflow.jobs.test!.steps.find((s) => s.if === "runner.os == 'Linux'")?.run).toBe('xvfb-run -a npm test');
  });

  it('builds the installers on all three, for tags only, after the tests', () => {
    const installers = workflow.jobs.installers!;
    expect(installers.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(installers.needs).toBe('test');
    expect(installers.strategy?.matrix?.os?.sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(installers.steps.some((s) => s.run === 'npm run dist -- --publish never')).toBe(true);
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });
});
