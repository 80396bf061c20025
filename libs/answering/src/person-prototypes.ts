import { cosine } from '@answerbridge/core';

/**
 * Requests for a person that no phrase list names ("I'd rather chat with one of your staff") still sit close
 * to ones that do in embedding space. The prototypes are the embeddings of the phrasings the phrase matcher
 * was built from (data/intents/human-requests.jsonl), requests and look-alikes ("are you human?"): a message
 * resembles a request when it is close to one, and closer to the requests than to every look-alike by a lead.
 * The two numbers are measured per embedding profile (bench/quality/HUMAN-REQUESTS.md). Pure.
 */
export interface PersonPrototypes {
  requests: readonly (readonly number[])[];
  lookAlikes: readonly (readonly number[])[];
  /** Cosine to the nearest request at least this. */
  minSimilarity: number;
  /** And at least this much above the nearest look-alike. */
  minLead: number;
}

const nearest = (vector: readonly number[], set: readonly (readonly number[])[]): number =>
  set.reduce((best, p) => Math.max(best, cosine(vector, p)), -1);

export function resemblesPersonRequest(vector: readonly number[], prototypes: PersonPrototypes): boolean {
  const request = nearest(vector, prototypes.requests);
  return request >= prototypes.minSimilarity && request - nearest(vector, prototypes.lookAlikes) >= prototypes.minLead;
}
