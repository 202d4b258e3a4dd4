/**
 * The channel types the rest of gpu-mesh uses: a channel is one of the registry's (`registry.ts`);
 * what a channel is, and the words (channel, context, deadline), are in `plugin.ts`.
 */
import type { AlertChannel as ChannelOf } from './plugin.js';
import type { ChannelName } from './registry.js';

export type { AlertContext, ChannelDeps } from './plugin.js';
export { CHANNEL_NAMES, type ChannelName } from './registry.js';

/** A channel in force: `log` or one of the configured channels. */
export type AlertChannel = ChannelOf<ChannelName>;
