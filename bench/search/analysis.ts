/** The report's reading of its own numbers: whether the goals are met and, where not, where the time goes. */
import type { SearchBenchReport } from './report';

export function analysis(r: SearchBenchReport): string {
  return `## Reading\n\n_(pending)_ ${r.sizes.length}`;
}
