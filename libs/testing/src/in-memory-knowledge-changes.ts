import type { KnowledgeChange, KnowledgeChanges } from '@answerbridge/core';

/** KnowledgeChanges in one process: every listener hears every announcement, as over Redis pub/sub. */
export class InMemoryKnowledgeChanges implements KnowledgeChanges {
  private readonly listeners = new Set<(change: KnowledgeChange) => void>();
  readonly announced: KnowledgeChange[] = [];

  async announce(change: KnowledgeChange): Promise<void> {
    this.announced.push(change);
    for (const listener of this.listeners) listener(change);
  }

  async listen(onChange: (change: KnowledgeChange) => void): Promise<() => Promise<void>> {
    this.listeners.add(onChange);
    return async () => {
      this.listeners.delete(onChange);
    };
  }
}
