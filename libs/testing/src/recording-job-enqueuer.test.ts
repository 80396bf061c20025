import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobEnqueuerContract } from './job-enqueuer-contract';
import { RecordingJobEnqueuer } from './recording-job-enqueuer';

jobEnqueuerContract(
  'RecordingJobEnqueuer',
  async () => ({ enqueuer: new RecordingJobEnqueuer(), close: async () => undefined }),
  { describe, it, expect, beforeAll, afterAll },
);
