import { describe, expect, it } from 'vitest';
import { BACKUP_IDENTITY, gitEnv } from './gitEnv.js';

describe('gitEnv', () => {
  const base = {
    PATH: '/usr/bin',
    HOME: '/home/u',
    GIT_SSL_CAINFO: '/etc/ca.pem',
    GIT_DIR: '/elsewhere/.git',
    GIT_INDEX_FILE: '/elsewhere/.git/index',
    git_work_tree: '/elsewhere',
    EDITOR: 'vim',
    PAGER: 'less',
    LANG: 'de_DE.UTF-8',
    SECRET_TOKEN: 'x',
  };

  it('passes only an allow-list of this process’s variables: no GIT_*, editors, pagers, locale or secrets', () => {
    expect(gitEnv({ base })).toEqual({ PATH: '/usr/bin', HOME: '/home/u', LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' });
  });

  it('adds extras, then the private repository, work tree and index, which extras cannot set', () => {
    const env = gitEnv({ base, extra: { HOME: '/tmp/h', GIT_CONFIG_NOSYSTEM: '1', GIT_INDEX_FILE: '/nope', PATH: undefined }, gitDir: '/data/repo.git', workTree: '/w', indexFile: '/data/index-1' });
    expect(env).toEqual({
      HOME: '/tmp/h',
      GIT_CONFIG_NOSYSTEM: '1',
      LC_ALL: 'C',
      GIT_OPTIONAL_LOCKS: '0',
      GIT_TERMINAL_PROMPT: '0',
      GIT_DIR: '/data/repo.git',
      GIT_WORK_TREE: '/w',
      GIT_INDEX_FILE: '/data/index-1',
    });
    expect(gitEnv({ base: {}, extra: { GIT_INDEX_FILE: '/user/.git/index', git_dir: '/x', GIT_OPTIONAL_LOCKS: '1' } })).toEqual({ LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' });
  });

  it('sets the backup identity and date for a commit', () => {
    const env = gitEnv({ base: {}, commitTime: Date.UTC(2026, 0, 1) + 999 });
    expect(env).toMatchObject({
      GIT_AUTHOR_NAME: BACKUP_IDENTITY.name,
      GIT_AUTHOR_EMAIL: BACKUP_IDENTITY.email,
      GIT_COMMITTER_NAME: BACKUP_IDENTITY.name,
      GIT_COMMITTER_EMAIL: BACKUP_IDENTITY.email,
      GIT_AUTHOR_DATE: `@${Date.UTC(2026, 0, 1) / 1000} +0000`,
      GIT_COMMITTER_DATE: `@${Date.UTC(2026, 0, 1) / 1000} +0000`,
    });
  });
});
