import { runUntilSignal } from '@answerbridge/observability';
import { bootstrap } from './bootstrap';

runUntilSignal('console', bootstrap);
