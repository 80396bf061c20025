/**
 * The Milvus standalone settings the report recommends. Written, not measured here: this machine runs
 * Milvus Lite only. The sizes are arithmetic on the schema (libs/vector-store faq-collection-schema.ts).
 */
export const standaloneSettings = `## Settings for Milvus standalone (100k – 10M rows)

Production runs Milvus (standalone or distributed), not Lite: the engine is C++ (Knowhere/segcore), searches run
on all cores, and none of Lite's per-row Python work exists there. The schema stays as shipped (one row per indexed
question; \`dense\`, \`sparse\` from the BM25 function with the jieba analyzer, a collection per knowledge-base
version behind an alias). What changes with size is the dense index, and the memory it needs. Raw float32 vectors
take rows × dimension × 4 bytes: Qwen3-Embedding-4B's native 2,560-d is 1 GB per 100k rows, 10 GB per million;
truncated to 1,024-d (Matryoshka, \`EMBEDDING_DIMENSIONS\` with \`sendDimensions\`) 0.4 GB and 4 GB.

| rows per collection | dense index | build | search | memory (1,024-d) | why |
|---|---|---|---|---|---|
| up to ~1M | \`HNSW\`, COSINE | \`M: 16, efConstruction: 200\` (as shipped) | \`ef: 64\` (≥ the 40 rows asked; 128 if recall checks want it) | vectors + ~130 B/row of graph: ~0.45 GB per 100k, ~4.5 GB per 1M | single-digit ms at recall ≈ 0.98+; a rebuild of 1M takes minutes, fine for a versioned ingest |
| 1M – 10M | \`HNSW_SQ\`, \`sq_type: "SQ8"\`, \`refine: true\`, \`refine_type: "FP16"\` | \`M: 16, efConstruction: 200\` | \`ef: 64–128\`, \`refine_k: 2\` | 1 B/dim + FP16 refine copy: ~3 B/dim, 31 GB at 10M × 1,024 (vs 41 GB raw) | quantized graph keeps HNSW's latency; the refine pass restores the recall SQ8 loses |
| 10M, memory-bound | \`IVF_SQ8\`, \`nlist ≈ 4·√rows\` (≈ 12,000 at 10M) | — | \`nprobe: 32–64\` | 1 B/dim: 10 GB at 10M × 1,024 | a quarter of the memory of FLAT vectors; latency grows with nprobe, so measure recall at the chosen nprobe |

- **BM25**: \`SPARSE_INVERTED_INDEX\`, metric \`BM25\`, \`inverted_index_algo: "DAAT_MAXSCORE"\` (Milvus's default for
  BM25; Lite accepts only TAAT_NAIVE, so the shipped schema leaves it unset and Milvus picks its default),
  \`bm25_k1: 1.2, bm25_b: 0.75\`. FAQ questions are short, so postings stay small; the index is a fraction of the
  dense one. Milvus keeps corpus-wide IDF statistics, unlike Lite (per segment).
- **Dimension before index type**: at 1M+ rows, truncating 2,560-d to 1,024-d (re-measure quality with
  \`kb eval\`) saves more memory and time than any quantization, and keeps plain HNSW usable up to a few million rows.
- **Loading and replicas**: collections are loaded at worker start (as now). Search throughput scales with query
  nodes / replicas (\`replica_number\` on load), not with the index: add a replica before raising \`ef\`.
  Give the query node 1.5–2× the index size in memory (segments being compacted or a new version being built
  coexist with the active one; an alias swap briefly holds two versions).
- **Big text fields**: \`answer\` (up to 64 KB) and \`meta\` are only returned, never searched: with many rows,
  enable mmap for them (collection property \`mmap.enabled\`) so memory goes to the indexes.
- **Many small bots**: a collection per bot and version is right for tens to hundreds of bots. For thousands, one
  collection per version of a shared schema with \`kb\` as the partition key would avoid per-collection overhead,
  at the price of rebuilding every bot's rows together; not needed at the sizes measured here.
`;
