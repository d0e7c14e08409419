import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// .github/workflows/ci.yml cannot run here; this keeps it in step with what does run: the README's
// test command (which .ci/run calls), the three platforms and installers the tray app ships for, and
// the Windows PowerShell 5.1 leg. Every leg gates.

const root = path.resolve(import.meta.dirname, '..');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  shell?: string;
  env?: Record<string, string>;
}
interface Job {
  'runs-on': string;
  if?: string;
  needs?: string;
  'continue-on-error'?: unknown;
  strategy?: { 'fail-fast'?: boolean; matrix?: { os?: string[]; include?: Array<{ os: string; leg?: string }> } };
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
  const test = workflow.jobs.test!;
  const legs = test.strategy?.matrix?.include ?? [];
  const runs = test.steps.map((s) => s.run ?? '');

  it('runs the README test command, which .ci/run runs too', () => {
    const command = readmeTestCommand();
    expect(command).toBe('npm ci && npm test');
    const ciRun = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ciRun.trimEnd().split('\n').at(-1)).toBe(command);
    // Split in two on GitHub so a browser is set up between them; `npm ci` on every leg.
    expect(test.steps.find((s) => s.run === 'npm ci')?.if).toBeUndefined();
    const npmTest = test.steps.filter((s) => /(^|\s)npm test$/.test(s.run ?? ''));
    expect(npmTest).toHaveLength(2);
    for (const step of npmTest) expect(step.if).toMatch(/^matrix\.leg == 'suite' && runner\.os [=!]= 'Linux'$/);
  });

  it('tests the suite on Windows, macOS and Linux, with the Electron binary fetched, the Electron test under a display on Linux', () => {
    expect(legs.filter((l) => l.leg === 'suite').map((l) => l.os).sort()).toEqual(['macos-latest', 'ubuntu-latest', 'windows-latest']);
    expect(test['runs-on']).toBe('${{ matrix.os }}');
    expect(runs.indexOf('node node_modules/electron/install.js')).toBeGreaterThan(runs.indexOf('npm ci'));
    expect(test.steps.find((s) => s.if === "matrix.leg == 'suite' && runner.os == 'Linux'")?.run).toBe('xvfb-run -a npm test');
  });

  it('gates on every leg: no job or leg is continue-on-error, and one failing leg does not cancel the others', () => {
    for (const [name, job] of Object.entries(workflow.jobs)) expect(job['continue-on-error'], name).toBeUndefined();
    for (const step of test.steps) expect((step as Record<string, unknown>)['continue-on-error'], step.name).toBeUndefined();
    expect(test.strategy?.['fail-fast']).toBe(false);
  });

  it('has a Windows PowerShell 5.1 leg that builds, then runs the PowerShell tests with POSHPOOL_PWSH=powershell.exe', () => {
    expect(legs).toContainEqual({ os: 'windows-latest', leg: 'powershell-5.1' });
    const leg51 = test.steps.filter((s) => s.if === "matrix.leg == 'powershell-5.1'");
    expect(leg51.map((s) => s.run)).toEqual(['npm run build', expect.stringMatching(/^npx vitest run /)]);
    const vitest = leg51[1]!;
    expect(vitest.env).toEqual({ POSHPOOL_PWSH: 'powershell.exe' });
    const filters = vitest.run!.replace(/^npx vitest run /, '').split(' ');
    expect(filters).toEqual(expect.arrayContaining(['main/core/shell', 'main/core/pool', 'main/core/scheduler', 'main/mcp']));
    for (const filter of filters) expect(existsSync(path.join(root, filter)), filter).toBe(true);
  });

  it('points TEMP and TMP at the runner\'s long-named temp dir on Windows (the image\'s TEMP is an 8.3 short path)', () => {
    const step = test.steps.find((s) => s.name === 'Long temp path');
    expect(step?.if).toBe("runner.os == 'Windows'");
    expect(step?.run).toContain('"TEMP=$env:RUNNER_TEMP" >> $env:GITHUB_ENV');
    expect(step?.run).toContain('"TMP=$env:RUNNER_TEMP" >> $env:GITHUB_ENV');
    expect(test.steps.indexOf(step!)).toBeLessThan(runs.indexOf('npm ci'));
  });

  it('gives Playwright a Chromium on every suite leg: its own on Linux and macOS, the image\'s Chrome on Windows', () => {
    const own = test.steps.find((s) => s.run?.includes('npx playwright install --with-deps chromium'));
    expect(own?.if).toBe("matrix.leg == 'suite' && runner.os != 'Windows'");
    expect(own?.run).toContain('POSHPOOL_CHROMIUM=');
    const chrome = test.steps.find((s) => s.if === "matrix.leg == 'suite' && runner.os == 'Windows'" && s.run?.includes('POSHPOOL_CHROMIUM='));
    expect(chrome?.shell).toBe('pwsh');
    expect(chrome?.run).toContain('App Paths\\chrome.exe');
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
