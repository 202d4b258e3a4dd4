export { deliverWithinDeadline } from './deadline.js';
export type { EmailOptions } from './plugin.js';
export {
  buildChannels,
  CHANNEL_NAMES,
  CHANNELS,
  type ChannelName,
  type ChannelsConfig,
  type ConfiguredChannelName,
  channelSecrets,
  channelsSchema,
  maskChannels,
} from './registry.js';
export type { AlertChannel, AlertContext, ChannelDeps } from './types.js';
