export { entryIdFor, validateEntries, FaqParseError, type FaqEntry } from './faq-entry';
export { parseQaText } from './parse-qa-text';
export { parseFaqCsv } from './parse-csv';
export { parseFaqMarkdown } from './parse-markdown';
export { parseFaqJsonl } from './parse-jsonl';
export { parseFaq, loadFaqFile } from './load-faq-file';
export { ingestKnowledgeBase, questionsOf, type IngestOptions, type IngestProgress, type IngestResult } from './ingest-knowledge-base';
export { KnowledgeSearcher, bestPerEntry, type Candidate } from './knowledge-searcher';
