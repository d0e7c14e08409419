import { backupMessage } from './changes.js';
import type { BackupContext } from './context.js';
import { readChain, type ChainLink } from './history.js';
import { BACKUP_REF_PREFIX } from './location.js';
import { diffTrees, moveRef } from './snapshot.js';

/** Which backups a prune keeps: the newest `keepLast`, and every one younger than `youngerThanDays`. */
export interface PrunePolicy {
  keepLast?: number;
  youngerThanDays?: number;
}

/** What a prune did, over every backup ref of the repository. */
export type PruneResult =
  | { ok: true; kept: number; removed: number; rewritten: number; refs: number }
  | { ok: false; reason: string; retry: boolean };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Drops the backups the policy does not keep from every chain under refs/poshpool/backups/. A
 * backup is kept when it is among the newest `keepLast` OR younger than `youngerThanDays` (either
 * left out keeps nothing by itself; both left out keep all); the newest is always kept. The kept
 * backups after the first dropped one are re-made with `git commit-tree` (same tree, date and, where
 * the parent is unchanged, message; otherwise the message is recomputed against the new parent) and
 * the ref is moved with a compare-and-swap; a lost race says to retry. Nothing else is touched; the
 * dropped commits are left to git's own garbage collection.
 */
export async function pruneBackups(ctx: BackupContext, policy: PrunePolicy): Promise<PruneResult> {
  const { keepLast, youngerThanDays } = policy;
  if (keepLast !== undefined && (!Number.isInteger(keepLast) || keepLast < 0)) return { ok: false, retry: false, reason: `keepLast must be a whole number >= 0, not ${keepLast}.` };
  if (youngerThanDays !== undefined && !(youngerThanDays >= 0)) return { ok: false, retry: false, reason: `youngerThanDays must be >= 0, not ${youngerThanDays}.` };
  const { loc } = ctx;
  const refs = await loc.git.read(['for-each-ref', '--format=%(refname)', BACKUP_REF_PREFIX]);
  if (!refs.ok) return { ok: false, reason: refs.reason, retry: false };

  const now = ctx.now();
  const keeps = (link: ChainLink, newestFirstIndex: number): boolean => {
    if (newestFirstIndex === 0) return true;
    if (keepLast === undefined && youngerThanDays === undefined) return true;
    if (keepLast !== undefined && newestFirstIndex < keepLast) return true;
    return youngerThanDays !== undefined && now - link.time < youngerThanDays * DAY_MS;
  };

  const total = { kept: 0, removed: 0, rewritten: 0, refs: 0 };
  for (const ref of refs.stdout.split('\n').filter((r) => r !== '')) {
    const chain = await readChain(loc, ref);
    if (!chain.ok) return { ok: false, reason: chain.reason, retry: false };
    const newestFirst = chain.links;
    const tip = newestFirst[0];
    if (tip === undefined) continue;
    total.refs++;
    const kept = newestFirst.map((link, i) => keeps(link, i));
    const removed = kept.filter((k) => !k).length;
    total.kept += newestFirst.length - removed;
    total.removed += removed;
    if (removed === 0) continue;

    const oldestFirst = newestFirst.map((link, i) => ({ link, kept: kept[i] === true })).reverse();
    // newParent: the commit the next kept backup goes on; parentTree: its tree; parentWas: the
    // original commit it stands for (so an unchanged parent keeps its message).
    let newParent = oldestFirst[0]?.link.parent ?? null;
    let parentTree: string | null = newParent === null ? null : `${newParent}^{tree}`;
    let parentWas = newParent;
    let rewriting = false;
    for (const { link, kept: keep } of oldestFirst) {
      if (!keep) {
        rewriting = true;
        continue;
      }
      if (!rewriting) {
        newParent = link.id;
        parentTree = link.tree;
        parentWas = link.id;
        continue;
      }
      let message = `${link.message}\n`;
      if (link.parent !== parentWas) {
        const changes = await diffTrees(loc, parentTree, link.tree);
        if (!changes.ok) return { ok: false, reason: changes.reason, retry: false };
        message = backupMessage(changes.changes, loc);
      }
      const made = await loc.git.run(['commit-tree', link.tree, ...(newParent === null ? [] : ['-p', newParent]), '-F', '-'], { input: message, commitTime: link.time });
      if (!made.ok) return { ok: false, reason: made.reason, retry: false };
      total.rewritten++;
      newParent = made.stdout.trim();
      parentTree = link.tree;
      parentWas = link.id;
    }
    // The newest backup is always kept, so the chain is never empty.
    if (newParent === null) continue;
    const moved = await moveRef(ctx, ref, newParent, tip.id, 'poshpool: prune');
    if (!moved.ok) return moved;
  }
  return { ok: true, ...total };
}
