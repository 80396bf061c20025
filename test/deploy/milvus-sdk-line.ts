import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * major.minor of the installed Milvus Node SDK, which is the Milvus server line it is made for (SDK 3.0.x
 * for Milvus 3.0, 2.6.x for 2.6): the servers that deploy/ pins must be of that line.
 */
export function milvusSdkLine(): string {
  const { version } = JSON.parse(
    readFileSync(path.join(root, 'node_modules/@zilliz/milvus2-sdk-node/package.json'), 'utf8'),
  ) as { version: string };
  const line = /^(\d+\.\d+)\./.exec(version)?.[1];
  if (!line) throw new Error(`unexpected @zilliz/milvus2-sdk-node version ${version}`);
  return line;
}
