import { migrate } from './migrations';
import { checkDatabase, createPool, type Pool, type PoolOptions } from './pool';

/**
 * A pool on DATABASE_URL that has been checked (a bad URL or a server that does not answer stops the caller
 * with words) and migrated to the newest schema (under the migration lock: replicas starting at once apply
 * each migration once). The console and `kb` open the database this way.
 */
export async function openDatabase(
  url: string,
  options: PoolOptions & { onMigrated?: (files: string[]) => void } = {},
): Promise<Pool> {
  const pool = createPool(url, options);
  try {
    await checkDatabase(pool, url);
    const applied = await migrate(pool);
    if (applied.length) options.onMigrated?.(applied);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
