import type { ResidentSearchEvent } from '@answerbridge/knowledge';
import type { Logger, Metrics } from '@answerbridge/observability';

/**
 * Logs what the worker's memory copies of the knowledge bases do (loaded, too large, dropped, failed) and
 * counts where each dense search was answered: `answerbridge_dense_searches_total{from="memory"|"store"}`.
 */
export function residentSearchReporter(log: Logger, metrics: Metrics): (event: ResidentSearchEvent) => void {
  const searches = metrics.counter(
    'answerbridge_dense_searches_total',
    "Dense searches by where they were answered: the worker's memory copy or the vector store",
    ['from'] as const,
  );
  return (event) => {
    switch (event.kind) {
      case 'searched':
        searches.inc({ from: event.from });
        return;
      case 'loaded':
        log.info(
          { event: 'resident_search_loaded', ...event },
          `knowledge base ${event.knowledgeBase} searched in memory: ${event.rows} rows of ${event.collection}`,
        );
        return;
      case 'too-large':
        log.info(
          { event: 'resident_search_too_large', ...event },
          `knowledge base ${event.knowledgeBase} has ${event.rows} rows; beside the ${event.heldElsewhere} this worker holds for others that is more than the ${event.maxRows} rows RESIDENT_SEARCH_MEMORY_MB allows: Milvus searches it`,
        );
        return;
      case 'rows-added':
        log.debug({ event: 'resident_search_rows_added', ...event }, 'rows added to the memory copy');
        return;
      case 'dropped':
        log.info(
          { event: 'resident_search_dropped', ...event },
          `memory copy of ${event.knowledgeBase} dropped (${event.reason}); Milvus answers until it is loaded again`,
        );
        return;
      case 'not-announced':
        log.warn(
          { event: 'knowledge_change_not_announced', ...event },
          `a change to ${event.knowledgeBase} was written but not announced (${event.reason}); workers see it at their next check`,
        );
        return;
      case 'failed':
        log.warn(
          { event: 'resident_search_failed', knowledgeBase: event.knowledgeBase, err: event.error },
          `memory copy of ${event.knowledgeBase} could not be kept current; Milvus answers its searches`,
        );
        return;
    }
  };
}
