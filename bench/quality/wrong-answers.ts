import { assess, verdictOf, type ConfidenceModel, type RankedMatch } from '@answerbridge/answering';

/** A labelled question with what the search ranked for it (a search outcome, or a policy case with its text). */
export interface AnsweredQuestion {
  query: string;
  expectedId: string | null;
  ranked: RankedMatch[];
  kind?: string;
}

/**
 * The errors that remain, as a Markdown section: every question the model answers directly with an entry that
 * does not answer it (a wrong entry, or any entry for a question the FAQ does not answer), most confident first.
 */
export function wrongAnswersSection(
  title: string,
  questions: readonly AnsweredQuestion[],
  model: ConfidenceModel,
  names: ReadonlyMap<string, string>,
  options: { shown: number; notInFaq: string },
): string {
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const wrong = questions
    .map((q) => ({ q, a: assess(q.ranked, model) }))
    .filter(({ q, a }) => a && verdictOf(a, model) === 'answer' && q.ranked[0]?.entryId !== q.expectedId)
    .sort((x, y) => (y.a?.right ?? 0) - (x.a?.right ?? 0));
  const rows = wrong.slice(0, options.shown).map(({ q, a }) => {
    const got = q.ranked[0]?.entryId ?? '';
    const want = q.expectedId === null ? `(${q.kind ?? options.notInFaq})` : (names.get(q.expectedId) ?? q.expectedId);
    return `| ${cell(q.query)} | ${cell(names.get(got) ?? got)} | ${cell(want)} | ${(a?.right ?? 0).toFixed(3)} |`;
  });
  return (
    `\n${title} (${wrong.length}` +
    (wrong.length > rows.length ? `, the ${rows.length} most confident shown` : '') +
    '):\n\n' +
    (rows.length
      ? `| question | answered with | the right entry | P(right) |\n|---|---|---|---:|\n${rows.join('\n')}\n`
      : 'none.\n')
  );
}
