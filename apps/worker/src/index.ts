export { WORKER_SHUTDOWN_GRACE_MS, bootstrap, type RunningWorker } from './bootstrap';
