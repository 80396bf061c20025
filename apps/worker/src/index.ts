export { bootstrap, type RunningWorker } from './bootstrap';
