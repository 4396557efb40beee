// Who may change settings, shared by the server's policies (core/policies.ts), which enforce it,
// and the web app, which shows settings read-only to everyone else instead of controls that fail.
export type RoleName = 'super_admin' | 'admin' | 'agent';

export const isAdmin = (role: RoleName): boolean => role === 'super_admin' || role === 'admin';
/** Settings (inboxes, channels, users, teams, automation, audit log) are for admins. */
export const canManageSettings = (role: RoleName): boolean => isAdmin(role);
