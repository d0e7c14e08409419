import { describe, expect, it } from 'vitest';
import { didYouMean, levenshtein } from './didYouMean.js';

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('', '')).toBe(0);
    expect(levenshtein('cols', 'cols')).toBe(0);
    expect(levenshtein('cols', 'colz')).toBe(1);
    expect(levenshtein('maxSesions', 'maxSessions')).toBe(1);
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('abc', '')).toBe(3);
  });
});

describe('didYouMean', () => {
  const all = [['maxSessions'], ['shell'], ['shell', 'cols'], ['shell', 'rows']];

  it('picks the nearest sibling within the limit, case ignored', () => {
    expect(didYouMean('maxSesions', ['maxSessions', 'shell'], [], all)).toBe('maxSessions');
    expect(didYouMean('COLS', ['cols', 'rows'], ['shell'], all)).toBe('shell.cols');
    expect(didYouMean('rowz', ['cols', 'rows'], ['shell'], all)).toBe('shell.rows');
  });

  it('points to a field of the same name in another section', () => {
    expect(didYouMean('cols', ['maxSessions', 'shell'], [], all)).toBe('shell.cols');
    expect(didYouMean('maxSessions', ['cols', 'rows'], ['shell'], all)).toBe('maxSessions');
  });

  it('suggests nothing when nothing is close', () => {
    expect(didYouMean('theme', ['cols', 'rows'], ['shell'], all)).toBeUndefined();
  });
});
