declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';

  interface RollOptions {
    file: string;
    frequency?: 'daily' | 'hourly' | number;
    size?: string;
    mkdir?: boolean;
    limit?: { count?: number };
  }
  export default function roll(options: RollOptions): Promise<DestinationStream>;
}
