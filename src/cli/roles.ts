/** `--role`: `all` or a comma list of scheduler, worker, server, agent. */
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
