/** The Alert shape as a zod schema, to check job payloads read back from Redis. */
import { z } from 'zod';
import { SEVERITIES } from '../mesh/types.js';
import { ALERT_KINDS, type Alert } from './types.js';

export const alertSchema: z.ZodType<Alert> = z.object({
  id: z.string().min(1),
  at: z.string(),
  severity: z.enum(SEVERITIES),
  kind: z.enum(ALERT_KINDS),
  nodeId: z.string().nullable(),
  incidentId: z.string().nullable(),
  title: z.string(),
  message: z.string(),
});
