/**
 * @module Naming clusters by their most distinctive terms with class-based TF-IDF, as BERTopic does: all
 * documents of a cluster are one document; a term weighs tf(t, c) · log(1 + A / f(t)), where tf is the term's
 * frequency in the cluster normalised by the cluster's length, f(t) its frequency over all clusters and A the
 * average number of words per cluster. Terms common everywhere sink; terms that mark one cluster rise.
 */

export interface ClassTerm {
  term: string;
  score: number;
}

export function classTerms(
  documents: readonly (readonly string[])[],
  labels: readonly number[],
  top = 5
): Map<number, ClassTerm[]> {
  const perClass = new Map<number, Map<string, number>>();
  const total = new Map<string, number>();
  let words = 0;
  documents.forEach((doc, i) => {
    const label = labels[i]!;
    if (label < 0) return;
    let counts = perClass.get(label);
    if (!counts) perClass.set(label, (counts = new Map()));
    for (const term of doc) {
      counts.set(term, (counts.get(term) ?? 0) + 1);
      total.set(term, (total.get(term) ?? 0) + 1);
      words++;
    }
  });
  const average = perClass.size ? words / perClass.size : 0;
  const out = new Map<number, ClassTerm[]>();
  for (const [label, counts] of [...perClass.entries()].sort((a, b) => a[0] - b[0])) {
    const length = [...counts.values()].reduce((a, b) => a + b, 0) || 1;
    const scored = [...counts.entries()].map(([term, count]) => ({
      term,
      score: (count / length) * Math.log(1 + average / total.get(term)!)
    }));
    scored.sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1));
    out.set(label, scored.slice(0, top));
  }
  return out;
}
