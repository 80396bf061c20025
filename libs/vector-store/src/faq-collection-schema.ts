import { DataType, FunctionType, type FieldType } from '@zilliz/milvus2-sdk-node';

/**
 * One row per indexed question (canonical or similar) of an FAQ entry. The schema is identical for
 * every version of every knowledge base: the Node SDK caches schemas by name and an alias swap does
 * not clear that cache (docs/protocols/stack.md), so a reindex must never change fields.
 */
export const FIELDS = {
  pk: 'pk',
  kb: 'kb',
  entryId: 'entry_id',
  text: 'text',
  answer: 'answer',
  meta: 'meta',
  dense: 'dense',
  sparse: 'sparse',
} as const;

export const MAX_TEXT_CHARS = 2_000;
export const MAX_ANSWER_CHARS = 16_000;

export function faqFields(dimension: number): FieldType[] {
  return [
    { name: FIELDS.pk, data_type: DataType.VarChar, max_length: 256, is_primary_key: true },
    { name: FIELDS.kb, data_type: DataType.VarChar, max_length: 64 },
    { name: FIELDS.entryId, data_type: DataType.VarChar, max_length: 256 },
    {
      name: FIELDS.text,
      data_type: DataType.VarChar,
      max_length: MAX_TEXT_CHARS * 4,
      enable_analyzer: true,
      enable_match: true,
      // jieba is the one tokenizer that splits Chinese on both Milvus and Milvus Lite.
      analyzer_params: { tokenizer: 'jieba' },
    },
    { name: FIELDS.answer, data_type: DataType.VarChar, max_length: MAX_ANSWER_CHARS * 4 },
    { name: FIELDS.meta, data_type: DataType.JSON },
    { name: FIELDS.dense, data_type: DataType.FloatVector, dim: dimension },
    { name: FIELDS.sparse, data_type: DataType.SparseFloatVector },
  ];
}

export const bm25Function = {
  name: 'text_bm25',
  type: FunctionType.BM25,
  input_field_names: [FIELDS.text],
  output_field_names: [FIELDS.sparse],
  params: {},
};

export const faqIndexes = [
  { field_name: FIELDS.dense, index_type: 'HNSW', metric_type: 'COSINE', params: { M: 16, efConstruction: 200 } },
  {
    field_name: FIELDS.sparse,
    index_type: 'SPARSE_INVERTED_INDEX',
    metric_type: 'BM25',
    params: { bm25_k1: 1.2, bm25_b: 0.75 },
  },
];
