/**
 * `$GPU_MESH_PASSWORD_FILE`: where a deployment keeps the dashboard password when none is given
 * (`docker compose up` with nothing set). The first process to start generates a random one into
 * the file (mode 0600, created exclusively, so processes starting together agree on one); later
 * starts read it. No password printed in a public file ever protects a real mesh, and the
 * password itself is never logged: the log says where it is.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError } from './errors.js';

export interface FilePassword {
  password: string;
  /** This call created the file. */
  generated: boolean;
}

const WHERE = 'GPU_MESH_PASSWORD_FILE';

export async function passwordFromFile(path: string): Promise<FilePassword> {
  const existing = await readPassword(path);
  if (existing !== null) return { password: existing, generated: false };
  const password = randomBytes(18).toString('base64url');
  try {
    await writeFile(path, `${password}\n`, { flag: 'wx', mode: 0o600 });
    return { password, generated: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Another process created it first: use theirs.
    if (code === 'EEXIST') {
      const theirs = await readPassword(path);
      if (theirs !== null) return { password: theirs, generated: false };
    }
    throw new ConfigError(WHERE, `cannot create ${path}: ${code ?? (error as Error).message}`, {
      cause: error,
    });
  }
}

async function readPassword(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new ConfigError(WHERE, `cannot read ${path}: ${code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  const password = text.trim();
  if (password === '') throw new ConfigError(WHERE, `${path} is empty (delete it to have one generated)`);
  return password;
}
