import { Cluster, type ClusterNode, type ClusterOptions } from 'ioredis';

/** What ioredis's Cluster keeps private in its typings: its startup nodes, and what disconnect() runs in "wait". */
interface ClusterInternals {
  startupNodes: ClusterNode[];
  setStatus(status: string): void;
  handleCloseEvent(reason?: Error): void;
}

/**
 * A Redis Cluster client that ends when it is disconnected while waiting to reconnect.
 *
 * Once every node is gone, ioredis 5's Cluster empties its pool and waits to reconnect. Disconnecting it then
 * clears the timer and "resets" the already empty pool, whose "drain" event was the only way to its close
 * handler: it stays "disconnecting" forever, never emits "end" and never fails its queued commands. BullMQ's
 * Worker.close() waits for the "end" of its blocking connection (bullmq#4656), so a worker stopped after a
 * cluster outage hung, as ClosableRedis found for a single node (ioredis#1247). Here such a disconnect
 * runs what ioredis runs for a cluster that never connected: the client ends, its offline queue fails.
 * BullMQ duplicates the connection it is given for its blocking commands, so duplicates are of this class too.
 */
export class ClosableCluster extends Cluster {
  override disconnect(reconnect = false): void {
    const stranded = !reconnect && this.status === 'reconnecting' && this.nodes().length === 0;
    super.disconnect(reconnect);
    if (stranded && this.status === 'disconnecting') {
      const internals = this as unknown as ClusterInternals;
      internals.setStatus('close');
      internals.handleCloseEvent();
    }
  }

  override duplicate(overrideStartupNodes: ClusterNode[] = [], overrideOptions: ClusterOptions = {}): ClosableCluster {
    const startupNodes =
      overrideStartupNodes.length > 0
        ? overrideStartupNodes
        : (this as unknown as ClusterInternals).startupNodes.slice(0);
    return new ClosableCluster(startupNodes, { ...this.options, ...overrideOptions });
  }
}
