export { runKb } from './cli';
