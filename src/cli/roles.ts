/** `--role`: `all` or a comma list of scheduler, worker, server, gateway, agent. */
import { ROLES, type Role } from '../main.js';
import { UserError } from './errors.js';

export function parseRoles(value: string, nodeId: string | undefined): Role[] {
  const names =
    value === 'all' ? ['scheduler', 'worker', 'server'] : value.split(',').map((part) => part.trim());
  const roles: Role[] = [];
  for (const name of names) {
    if (!(ROLES as readonly string[]).includes(name)) {
      throw new UserError(`--role: unknown role "${name}" (use all, or a comma list of ${ROLES.join(', ')})`);
    }
    if (!roles.includes(name as Role)) roles.push(name as Role);
  }
  if (roles.includes('agent') && !nodeId) throw new UserError('--role agent needs --node ID');
  return roles;
}

/** `all` includes `gateway` when `gateway.enabled` (or for `--demo`, which shows it). */
export function withGatewayInAll(value: string, roles: readonly Role[], gatewayEnabled: boolean): Role[] {
  return value === 'all' && gatewayEnabled && !roles.includes('gateway') ? [...roles, 'gateway'] : [...roles];
}
