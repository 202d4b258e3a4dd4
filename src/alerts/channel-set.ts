/**
 * The configured channels, rebuilt when a config reload changes `alerts.channels`. A reload whose
 * channels cannot be built (an unusable URL) keeps the channels in force and says so once.
 */
import type { MeshConfig } from '../config/types.js';
import type { Logger } from '../runtime/logger.js';
import { type AlertChannel, buildChannels, type ChannelDeps, type ChannelName } from './channels/index.js';
import type { Alert } from './types.js';

export class ChannelSet {
  private source: MeshConfig['alerts']['channels'];
  private channels: AlertChannel[];
  private readonly logger: Logger;

  /** Throws (without quoting secrets) when the configured channels cannot be built. */
  constructor(
    private readonly config: () => MeshConfig,
    private readonly deps: ChannelDeps,
  ) {
    this.logger = deps.logger;
    this.source = config().alerts.channels;
    this.channels = buildChannels(this.source, deps);
  }

  /** The channels in force, `log` first. */
  current(): AlertChannel[] {
    const source = this.config().alerts.channels;
    if (source !== this.source) {
      this.source = source;
      try {
        this.channels = buildChannels(source, this.deps);
      } catch (error) {
        this.logger.error(
          { severity: 'ERROR', err: (error as Error).message },
          `alert channels unchanged: ${(error as Error).message}`,
        );
      }
    }
    return this.channels;
  }

  find(name: ChannelName): AlertChannel | undefined {
    return this.current().find((channel) => channel.name === name);
  }

  /** Writes an alert to the log channel (always there). */
  async log(alert: Alert): Promise<void> {
    await this.find('log')?.send(alert, NO_CONTEXT, new AbortController().signal);
  }
}

const NO_CONTEXT = {
  nodeName: null,
  nodeStatus: null,
  lastError: null,
  incidentStartedAt: null,
  dashboardUrl: '',
  boardUrl: '',
};
