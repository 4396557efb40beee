// Deactivating and reactivating users, on SQLite and PostgreSQL: a deactivated user cannot sign
// in or use a token, their open and snoozed conversations are unassigned with an activity line,
// they leave the user list (unless asked for) and are never assigned; only admins may, never
// themselves (so an active super admin always remains); reactivation restores sign-in with teams kept.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';

describeEachStore('deactivating users', (store) => {
  it('ends sign-in and tokens, unassigns waiting conversations, hides the user; reactivation restores them', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const app = await testApp(deps);
    const api = apiClient(app, acct.token);
    const ann = await addUser(deps, acct.account, { role: 'agent', name: 'Ann' });
    const teamId = await addTeam(deps, acct.account, 'Support', [ann.user.id]);
    try {
      const login = () => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: ann.user.email, password: 'correct horse battery' } });
      const session = String((await login()).headers['set-cookie']).split(';')[0]!;
      const open = await addConversation(deps, acct.account, acct.inbox.id, 'Open one');
      const closed = await addConversation(deps, acct.account, acct.inbox.id, 'Closed one');
      for (const c of [open, closed]) expect((await api.post(`/conversations/${c.id}/assign`, { assigneeId: ann.user.id })).status).toBe(200);
      expect((await api.post(`/conversations/${closed.id}/close`, {})).status).toBe(200);

      const res = await api.post(`/users/${ann.user.id}/deactivate`, {});
      expect(res.status).toBe(200);
      expect(res.body.deactivatedAt).not.toBeNull();

      expect((await apiClient(app, ann.token).get('/me')).status).toBe(401);
      expect((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session } })).statusCode).toBe(401);
      expect((await login()).statusCode).toBe(401);

      expect((await api.get(`/conversations/${open.id}`)).body.assigneeId).toBeNull();
      expect((await api.get(`/conversations/${closed.id}`)).body.assigneeId).toBe(ann.user.id); // history stays as it was
      const thread = (await api.get(`/conversations/${open.id}/messages`)).body.items as Array<{ kind: string; text: string }>;
      expect(thread.at(-1)).toMatchObject({ kind: 'activity', text: 'Unassigned: Ann was deactivated' });
      expect((await api.post(`/conversations/${open.id}/assign`, { assigneeId: ann.user.id })).body.error.field).toBe('assigneeId');

      const ids = async (q = '') => ((await api.get(`/users${q}`)).body.items as Array<{ id: string }>).map((u) => u.id);
      expect(await ids()).not.toContain(ann.user.id);
      expect(await ids('?deactivated=include')).toContain(ann.user.id);
      const audit = (await api.get('/audit-log')).body.items as Array<{ action: string; subjectId: string }>;
      expect(audit.some((a) => a.action === 'user.deactivated' && a.subjectId === ann.user.id)).toBe(true);

      const back = await api.post(`/users/${ann.user.id}/reactivate`, {});
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ deactivatedAt: null, teamIds: [teamId] });
      expect((await login()).statusCode).toBe(200);
      expect((await apiClient(app, ann.token).get('/me')).status).toBe(401); // revoked tokens stay revoked
    } finally {
      await app.close();
    }
  });

  it('only admins may; not yourself; admins cannot touch super admins', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const app = await testApp(deps);
    const owner = apiClient(app, acct.token);
    const admin = await addUser(deps, acct.account, { role: 'admin', name: 'Ada' });
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Tom' });
    const other = await makeAccount(deps);
    try {
      expect((await apiClient(app, agent.token).post(`/users/${admin.user.id}/deactivate`, {})).body.error.code).toBe('forbidden');
      expect((await apiClient(app, admin.token).post(`/users/${acct.owner.id}/deactivate`, {})).body.error.code).toBe('forbidden');
      const self = await owner.post(`/users/${acct.owner.id}/deactivate`, {});
      expect(self.status).toBe(409);
      expect(self.body.error.message).toMatch(/yourself/);
      expect((await apiClient(app, other.token).post(`/users/${agent.user.id}/deactivate`, {})).status).toBe(404);
      expect((await apiClient(app, admin.token).post(`/users/${agent.user.id}/deactivate`, {})).status).toBe(200);

      // A second super admin may deactivate the first, and reactivate them.
      const second = await addUser(deps, acct.account, { role: 'super_admin', name: 'Sue' });
      expect((await apiClient(app, second.token).post(`/users/${acct.owner.id}/deactivate`, {})).status).toBe(200);
      const reactivated = await apiClient(app, second.token).post(`/users/${acct.owner.id}/reactivate`, {});
      expect(reactivated.status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
