export {
  MilvusVectorStore,
  type CollectionVersion,
  type IndexedQuestion,
  type MilvusVectorStoreOptions,
  type SearchHit,
} from './milvus-vector-store';
export { ProfileMismatchError, KnowledgeBaseNotFoundError, VectorStoreError } from './errors';
