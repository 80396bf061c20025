import type { KnowledgeChange, KnowledgeChanges } from '@answerbridge/core';

/** KnowledgeChanges in one process: every listener hears every announcement, as over Redis pub/sub. */
export class InMemoryKnowledgeChanges implements KnowledgeChanges {
  private readonly listeners = new Set<(change: KnowledgeChange) => void>();
  readonly announced: KnowledgeChange[] = [];

  async announce(change: KnowledgeChange): Promise<void> {
    this.announced.push(change);
    for (const listener of this.listeners) listener(change);
  }

  private readonly gapListeners = new Set<() => void>();

  async listen(onChange: (change: KnowledgeChange) => void, onGap?: () => void): Promise<() => Promise<void>> {
    this.listeners.add(onChange);
    if (onGap) this.gapListeners.add(onGap);
    return async () => {
      this.listeners.delete(onChange);
      if (onGap) this.gapListeners.delete(onGap);
    };
  }

  /** As after a lost connection: listeners are told they may have missed announcements. */
  gap(): void {
    for (const listener of this.gapListeners) listener();
  }
}
