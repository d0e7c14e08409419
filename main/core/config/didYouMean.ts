/** An unknown field is matched to a known one at most this many edits away ("did you mean"). */
export const SUGGESTION_MAX_DISTANCE = 2;

/**
 * The known field an unknown key most likely meant, as a dotted path: a sibling within
 * SUGGESTION_MAX_DISTANCE edits (case ignored), else a field of the same name in another section
 * (`cols` at the top level means `shell.cols`). `allFields` lists every known field path.
 */
export function didYouMean(key: string, siblings: readonly string[], at: readonly string[], allFields: readonly (readonly string[])[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of siblings) {
    const distance = levenshtein(key.toLowerCase(), name.toLowerCase());
    if (distance <= SUGGESTION_MAX_DISTANCE && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best !== undefined) return [...at, best.name].join('.');
  // No sibling has this name (it would be known), so an exact match is in another section.
  const elsewhere = allFields.find((p) => p[p.length - 1]?.toLowerCase() === key.toLowerCase());
  return elsewhere?.join('.');
}

/** Edit distance (insertions, deletions, substitutions) between two strings. */
export function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
