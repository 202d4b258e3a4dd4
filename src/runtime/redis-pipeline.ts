import type { ChainableCommander } from 'ioredis';

/** Runs a pipeline or transaction and returns its replies, throwing the first command error. */
export async function exec(commands: ChainableCommander): Promise<unknown[]> {
  const replies = (await commands.exec()) ?? [];
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
