import { rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * Removes a recording's audio, given the path its row holds (relative to the data
 * directory). A path that would lead outside the data directory is left alone: rows are
 * ours, but a file outside is never a recording's to delete. A missing file is no error.
 */
export async function removeRecordingFile(dataDir: string, filePath: string): Promise<void> {
  const root = resolve(dataDir);
  const file = resolve(root, filePath);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return;
  await rm(file, { force: true });
}
