import { vi } from 'vitest';
import { main } from '../src/cli.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing what it prints. */
export async function runCli(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The CLI against a store (its data directory, and its PostgreSQL URL if it has one): its JSON output, or a throw. */
export async function cliOnStore(store: { dataDir: string; databaseUrl?: string | undefined }, args: string[]): Promise<any> {
  const storeFlags = ['--data', store.dataDir, ...(store.databaseUrl ? ['--database-url', store.databaseUrl] : [])];
  const result = await runCli([...args, ...storeFlags, '--json']);
  if (result.code !== 0) throw new Error(`portcullis ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}
