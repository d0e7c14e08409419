import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { platformFor } from '../platform/Platform.js';
import {
  descendantsOf,
  killDescendants,
  parseCsvPairs,
  parseProcStat,
  parsePsOutput,
  processTableSource,
  treeKillCommand,
  type ProcessInfo,
} from './processTree.js';

const sorted = (pids: number[]): number[] => [...pids].sort((a, b) => a - b);

describe('descendantsOf', () => {
  const table: ProcessInfo[] = [
    { pid: 1, ppid: 0 },
    { pid: 100, ppid: 1 }, // the shell
    { pid: 101, ppid: 100 }, // child
    { pid: 102, ppid: 100 }, // child
    { pid: 103, ppid: 101 }, // grandchild
    { pid: 104, ppid: 103 }, // great-grandchild
    { pid: 200, ppid: 1 }, // unrelated
    { pid: 201, ppid: 200 }, // unrelated child
  ];

  it('finds children, grandchildren and deeper, but not the root or unrelated processes', () => {
    expect(sorted(descendantsOf(100, table))).toEqual([101, 102, 103, 104]);
  });

  it('finds only the subtree of an inner process', () => {
    expect(sorted(descendantsOf(101, table))).toEqual([103, 104]);
  });

  it('returns nothing for a process without children or one not in the table', () => {
    expect(descendantsOf(104, table)).toEqual([]);
    expect(descendantsOf(999, table)).toEqual([]);
    expect(descendantsOf(100, [])).toEqual([]);
  });

  it('catches orphans re-parented to init through the session id', () => {
    const withSessions: ProcessInfo[] = [
      { pid: 1, ppid: 0, sid: 1 },
      { pid: 100, ppid: 50, sid: 100 }, // the shell leads its session
      { pid: 101, ppid: 100, sid: 100 },
      { pid: 300, ppid: 1, sid: 100 }, // orphan: its parent died, init adopted it
      { pid: 301, ppid: 300, sid: 100 }, // the orphan's child
      { pid: 400, ppid: 1, sid: 400 }, // someone else's daemon
      { pid: 50, ppid: 1, sid: 50 }, // the shell's own parent
    ];
    expect(sorted(descendantsOf(100, withSessions))).toEqual([101, 300, 301]);
  });

  it("catches an orphan's children that left the session", () => {
    const t: ProcessInfo[] = [
      { pid: 100, ppid: 50, sid: 100 },
      { pid: 300, ppid: 1, sid: 100 }, // orphan, still in the session
      { pid: 301, ppid: 300, sid: 301 }, // it ran setsid: only its parent links it to the shell
      { pid: 302, ppid: 301, sid: 301 },
    ];
    expect(sorted(descendantsOf(100, t))).toEqual([300, 301, 302]);
  });

  it('never includes the root, even when it is listed in its own session or as its own child', () => {
    const t: ProcessInfo[] = [
      { pid: 100, ppid: 100, sid: 100 },
      { pid: 101, ppid: 100, sid: 100 },
    ];
    expect(descendantsOf(100, t)).toEqual([101]);
  });

  it('spares the given pids but not their children (a launcher shim running the real pwsh)', () => {
    const t: ProcessInfo[] = [
      { pid: 100, ppid: 1, sid: 100 }, // the shim on the pty
      { pid: 101, ppid: 100, sid: 100 }, // the real pwsh
      { pid: 102, ppid: 101, sid: 100 }, // what the command started
      { pid: 103, ppid: 102, sid: 100 },
    ];
    expect(sorted(descendantsOf(100, t, [101]))).toEqual([102, 103]);
    expect(sorted(descendantsOf(100, t, []))).toEqual([101, 102, 103]);
    expect(sorted(descendantsOf(100, t, [999]))).toEqual([101, 102, 103]);
  });

  it('terminates on cycles in the parent links and lists each pid once', () => {
    const t: ProcessInfo[] = [
      { pid: 100, ppid: 102 }, // the root's parent is its own grandchild (pid reuse, a stale table)
      { pid: 101, ppid: 100 },
      { pid: 102, ppid: 101 },
      { pid: 103, ppid: 104 }, // a cycle hanging off the tree
      { pid: 104, ppid: 103 },
      { pid: 105, ppid: 102 },
      { pid: 104, ppid: 105 }, // duplicate row for 104
    ];
    const found = descendantsOf(100, t);
    expect(sorted(found)).toEqual([101, 102, 103, 104, 105]);
    expect(new Set(found).size).toBe(found.length);
  });
});

describe('parseProcStat', () => {
  it('reads pid, ppid and session id of a plain line', () => {
    expect(parseProcStat('1234 (bash) S 1 1234 1234 34816 1234 4194560 1234 0 0 0\n')).toEqual({ pid: 1234, ppid: 1, sid: 1234 });
  });

  it('handles a command name with spaces and parentheses', () => {
    expect(parseProcStat('1234 (a) b) S 1 5 6 0 -1')).toEqual({ pid: 1234, ppid: 1, sid: 6 });
    expect(parseProcStat('77 (my (weird) prog ) R 42 77 77 0')).toEqual({ pid: 77, ppid: 42, sid: 77 });
    expect(parseProcStat('9 ()) Z 3 4 5')).toEqual({ pid: 9, ppid: 3, sid: 5 });
  });

  it('leaves the session id out when the line stops before it', () => {
    expect(parseProcStat('12 (x) S 3 4')).toEqual({ pid: 12, ppid: 3, sid: undefined });
  });

  it('rejects malformed lines', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('1234 bash S 1 2 3')).toBeUndefined();
    expect(parseProcStat('abc (bash) S 1 2 3')).toBeUndefined();
    expect(parseProcStat('12 (bash) S')).toBeUndefined();
    expect(parseProcStat('12 (bash) S x 2 3')).toBeUndefined();
  });
});

describe('parsePsOutput', () => {
  it('reads pid and ppid columns with any spacing and skips junk', () => {
    const text = '    1     0\n  523     1\n\n 9001   523  \nPID PPID\n   77\n';
    expect(parsePsOutput(text)).toEqual([
      { pid: 1, ppid: 0 },
      { pid: 523, ppid: 1 },
      { pid: 9001, ppid: 523 },
    ]);
  });

  it('returns no rows for empty output', () => {
    expect(parsePsOutput('')).toEqual([]);
  });
});

describe('parseCsvPairs', () => {
  it('reads quoted and unquoted pid,ppid rows with CRLF line ends and skips headers', () => {
    const text = '"ProcessId","ParentProcessId"\r\n"4","0"\r\n812,4\r\n 99,812 \r\n\r\nnot,a,row\r\n5,x\r\n';
    expect(parseCsvPairs(text)).toEqual([
      { pid: 4, ppid: 0 },
      { pid: 812, ppid: 4 },
      { pid: 99, ppid: 812 },
    ]);
  });
});

describe('treeKillCommand', () => {
  it('reads the table from /proc on Linux, Win32_Process on Windows, ps on macOS', () => {
    expect(processTableSource(platformFor('linux'))).toEqual({ kind: 'proc' });
    expect(processTableSource(platformFor('win32'))).toMatchObject({ kind: 'command', file: 'powershell.exe', format: 'csv' });
    expect((processTableSource(platformFor('win32')) as { args: string[] }).args.at(-1)).toContain('Win32_Process');
    expect(processTableSource(platformFor('darwin'))).toEqual({ kind: 'command', file: 'ps', args: ['-A', '-o', 'pid=,ppid='], format: 'ps' });
  });

  it('uses taskkill /T /F on Windows', () => {
    expect(treeKillCommand(4321, platformFor('win32'))).toEqual({ file: 'taskkill', args: ['/PID', '4321', '/T', '/F'] });
  });

  it('signals directly (no command) elsewhere', () => {
    expect(treeKillCommand(4321, platformFor('linux'))).toBeUndefined();
    expect(treeKillCommand(4321, platformFor('darwin'))).toBeUndefined();
  });
});

describe('process start times (pid reuse)', () => {
  it('does not take a stranger that now holds a dead parent\'s pid for the parent (Windows reuses pids at once)', () => {
    // 812 started the command's tool 900 and exited; a stranger got pid 812 later, and its own child 950.
    const table: ProcessInfo[] = [
      { pid: 100, ppid: 1, startedAt: 1_000 },
      { pid: 200, ppid: 100, startedAt: 2_000 },
      { pid: 812, ppid: 4, startedAt: 9_000 },
      { pid: 900, ppid: 812, startedAt: 3_000 },
      { pid: 950, ppid: 812, startedAt: 9_500 },
    ];
    // Our shell is 100; 200 is its child. The stranger (812) and its children are not ours.
    expect(descendantsOf(100, table)).toEqual([200]);
    // From the stranger's side: 900 is older than the stranger, so it is not the stranger's child.
    expect(descendantsOf(812, table)).toEqual([950]);
  });

  it('keeps children stamped in the same clock tick as their parent', () => {
    const table: ProcessInfo[] = [
      { pid: 10, ppid: 1, startedAt: 5_000 },
      { pid: 11, ppid: 10, startedAt: 4_990 },
    ];
    expect(descendantsOf(10, table)).toEqual([11]);
  });

  it('reads start times from /proc/<pid>/stat (field 22, clock ticks since boot)', () => {
    const line = '4242 (pwsh) S 4200 4242 4242 34816 4242 4194560 1 0 0 0 5 1 0 0 20 0 20 0 123456 0 0';
    expect(parseProcStat(line, { bootTimeMs: 1_700_000_000_000, ticksPerSecond: 100 })).toEqual({ pid: 4242, ppid: 4200, sid: 4242, startedAt: 1_700_000_000_000 + 1_234_560 });
  });

  it('reads creation times from the Windows query (0 = unknown)', () => {
    expect(parseCsvPairs('12,4,1733390000123\r\n13,12,0\r\n')).toEqual([
      { pid: 12, ppid: 4, startedAt: 1733390000123 },
      { pid: 13, ppid: 12 },
    ]);
    const query = (processTableSource(platformFor('win32')) as { args: string[] }).args.at(-1)!;
    expect(query).toContain('CreationDate');
    expect(query).toContain('ToUnixTimeMilliseconds');
  });

  it('kills nothing when the process that holds the root pid started after the session did', async () => {
    // This test process plays a root whose pid was reused: it started long before "the session".
    const killed = await killDescendants(process.pid, platformFor('linux'), [], 0);
    expect(killed).toEqual([]);
  });
});

// ---- a real process tree on Linux -------------------------------------------------------------

/** The state letter of /proc/<pid>/stat, or undefined when the process is gone. */
function procState(pid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.slice(line.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    // No such process any more.
    return undefined;
  }
}

/** Alive means present and not a zombie (a killed orphan may wait for a reaper that never comes). */
function isAlive(pid: number): boolean {
  const state = procState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function stat(pid: number): ProcessInfo | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // No such process any more.
    return undefined;
  }
}

/** Start time of a process (clock ticks after boot): tells our process from a later one with a reused pid. */
function startTime(pid: number): string | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.slice(line.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    // No such process any more.
    return undefined;
  }
}

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    // No such process any more.
    return undefined;
  }
}

/** Polls until `check` holds; throws with `what` when it does not within `limitMs`. */
async function until(what: string, limitMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.runIf(process.platform === 'linux')('killDescendants on a real process tree (linux)', () => {
  let parent: ChildProcess | undefined;
  /** Processes the test's shells reported, with their start times. */
  const started = new Map<number, string | undefined>();

  afterEach(() => {
    // Leave nothing behind, whatever the test did. While the parent is not reaped its pid (and so
    // its process group, which every non-setsid process of the tree shares) cannot belong to anyone else.
    if (parent?.pid !== undefined && parent.exitCode === null && parent.signalCode === null) {
      try {
        process.kill(-parent.pid, 'SIGKILL');
      } catch {
        // The group is already empty.
      }
    }
    for (const [pid, since] of started) {
      try {
        if (isAlive(pid) && startTime(pid) === since) process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    started.clear();
    parent?.stdout?.destroy();
    parent = undefined;
  });

  it('kills children, grandchildren, orphans and their detached children, but not the parent', async () => {
    // The parent leads its own session (detached: true => setsid), like pwsh on a pty.
    const script = [
      'sleep 30 & echo child $!',
      "bash --norc --noprofile -c 'sleep 30 & echo grandchild $!; wait' &",
      '( sleep 30 & echo orphan $! $BASHPID )',
      '( ( sleep 30 & echo orphan2 $! $BASHPID; setsid sleep 30 & echo detached $!; wait ) & )',
      'wait',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, HISTFILE: '' };
    delete env.BASH_ENV;
    delete env.ENV;
    parent = spawn('bash', ['--norc', '--noprofile', '-c', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'], env });
    const parentPid = parent.pid!;
    expect(parentPid).toBeGreaterThan(0);

    const reported = new Map<string, number[]>();
    let buffered = '';
    parent.stdout!.setEncoding('utf8');
    parent.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const [name, ...pids] = buffered.slice(0, nl).trim().split(' ');
        buffered = buffered.slice(nl + 1);
        const nums = pids.map(Number);
        reported.set(name!, nums);
        for (const pid of nums) started.set(pid, startTime(pid));
      }
    });

    const names = ['child', 'grandchild', 'orphan', 'orphan2', 'detached'];
    await until('all five sleeps reported', 10_000, () => names.every((n) => reported.has(n)));
    const sleeps = names.map((n) => reported.get(n)![0]!);
    await until('every sleep has exec-ed', 10_000, () => sleeps.every((pid) => comm(pid) === 'sleep'));
    // The orphans' subshells have exited, so the kernel re-parented them away from their shell.
    const [, orphanShell] = reported.get('orphan')!;
    const [, orphan2Shell] = reported.get('orphan2')!;
    await until('the first orphan is re-parented', 10_000, () => stat(sleeps[2]!)?.ppid !== orphanShell);
    const detached = reported.get('detached')![0]!;
    await until('the detached sleep has its own session', 10_000, () => stat(detached)?.sid === detached);
    expect(stat(detached)?.ppid).toBe(orphan2Shell);
    expect(stat(parentPid)?.sid).toBe(parentPid);

    const killed = await killDescendants(parentPid, platformFor('linux'));
    for (const pid of sleeps) expect(killed).toContain(pid);
    expect(killed).toContain(orphan2Shell);
    expect(killed).not.toContain(parentPid);
    expect(killed).not.toContain(process.pid);

    await until('every sleep is gone', 2_000, () => sleeps.every((pid) => !isAlive(pid)));
    for (const pid of sleeps) expect(isAlive(pid)).toBe(false);
    // The parent itself was spared; its `wait` returns now that its children are dead.
    await until('the parent exits on its own', 2_000, () => parent!.exitCode !== null || parent!.signalCode !== null);
    expect(parent.signalCode).toBeNull();
    expect(parent.exitCode).not.toBeNull();
  });
});
