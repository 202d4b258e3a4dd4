import type { Level, Logger } from 'pino';
import { assertNever, type Severity } from '../../mesh/types.js';
import type { Alert } from '../types.js';
import type { AlertChannel } from './plugin.js';

/** A log write does not wait on anything; its deadline is there because every channel has one. */
const LOG_TIMEOUT_MS = 1000;

/** The log channel: always on, receives every alert, and writes it at the level of its severity. */
export function createLogChannel(logger: Logger): AlertChannel<'log'> {
  return {
    name: 'log',
    minSeverity: 'INFO',
    timeout: LOG_TIMEOUT_MS,
    async send(alert: Alert): Promise<void> {
      logger[logLevel(alert.severity)]({ alert }, alert.title);
    },
  };
}

export function logLevel(severity: Severity): Level {
  switch (severity) {
    case 'INFO':
      return 'info';
    case 'WARNING':
      return 'warn';
    case 'ERROR':
      return 'error';
    case 'CRITICAL':
      return 'fatal';
    default:
      return assertNever(severity);
  }
}
