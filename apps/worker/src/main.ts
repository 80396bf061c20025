import { runUntilSignal } from '@answerbridge/observability';
import { WORKER_SHUTDOWN_GRACE_MS, bootstrap } from './bootstrap';

runUntilSignal('worker', bootstrap, WORKER_SHUTDOWN_GRACE_MS);
