import { runUntilSignal } from '@answerbridge/observability';
import { bootstrap } from './bootstrap';

runUntilSignal('gateway', bootstrap);
