// The conversation workflow on SQLite and PostgreSQL: assign/reassign/unassign (free seats and
// view-only admins), close/reopen, snooze and the job that wakes it, move with access checked on
// the target, follow and the followers' notification on an inbound reply, @mentions in notes,
// the notifications API, and notification emails through a real SMTP sink (or waiting in the
// outbox without a relay). Every change leaves an activity line and an event.
import { expect, it, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { apiClient, testApp } from './helpers/api.ts';
import { addConversation, addTeam, addUser } from './access-fixtures.ts';
import { startSmtpSink, parseCaught, rawHeader } from './helpers/smtp-sink.ts';
import { sendIn } from './assignment-support.ts';
import { createWorker } from '../src/server/jobs/runner.ts';
import { snoozeWakeHandler, SNOOZE_WAKE_JOB } from '../src/server/jobs/snooze.ts';
import { notificationEmailHandler, NOTIFICATION_EMAIL_JOB } from '../src/server/jobs/notification-email.ts';
import type { Deps } from '../src/server/deps.ts';

describeEachStore('conversation workflow', (store) => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await testApp(store().deps);
  });
  afterAll(async () => {
    await app.close();
  });

  const activities = async (token: string, conversationId: string) =>
    (await apiClient(app, token).get(`/conversations/${conversationId}/messages`)).body.items.filter((m: { kind: string }) => m.kind === 'activity').map((m: { activity: { type: string } }) => m.activity.type);

  const eventsOf = async (deps: Deps, accountId: string, type: string) =>
    (await deps.store.db.selectFrom('events').selectAll().where('account_id', '=', accountId).where('type', '=', type).orderBy('seq').execute()).map((e) => ({ ...e, payload: JSON.parse(e.payload) }));

  it('assigns, reassigns and unassigns, with activity lines, events and a notification for the assignee', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const ann = await addUser(deps, acct.account, { role: 'agent', name: 'Ann' });
    const ben = await addUser(deps, acct.account, { role: 'agent', name: 'Ben' });
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    const a1 = await owner.post(`/conversations/${c.id}/assign`, { assigneeId: ann.user.id });
    expect(a1.status).toBe(200);
    expect(a1.body.assigneeId).toBe(ann.user.id);
    expect((await owner.post(`/conversations/${c.id}/assign`, { assigneeId: ben.user.id })).body.assigneeId).toBe(ben.user.id);
    expect((await owner.post(`/conversations/${c.id}/assign`, { assigneeId: null })).body.assigneeId).toBeNull();
    expect(await activities(acct.token, c.id)).toEqual(['assigned', 'assigned', 'unassigned']);
    const events = await eventsOf(deps, acct.account.id, 'conversation.updated');
    expect(events.filter((e) => e.payload.conversationId === c.id)).toHaveLength(3);
    expect(events.every((e) => e.inbox_id === acct.inbox.id)).toBe(true);
    const annNotes = await apiClient(app, ann.token).get('/notifications');
    expect(annNotes.body.items).toHaveLength(1);
    expect(annNotes.body.items[0]).toMatchObject({ kind: 'assigned', conversationId: c.id, actorUserId: acct.owner.id, conversationNumber: c.number });
    // Self-assignment notifies nobody.
    await apiClient(app, ann.token).post(`/conversations/${c.id}/assign`, { assigneeId: ann.user.id });
    expect((await apiClient(app, ann.token).get('/notifications/unread-count')).body.count).toBe(1);
  });

  it('lets free seats assign only unassigned conversations and their own; refuses assignees who cannot act; view-only admins get 403 view_only', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const free = await addUser(deps, acct.account, { role: 'agent', seat: 'free', name: 'Fay' });
    const paid = await addUser(deps, acct.account, { role: 'agent', name: 'Pat' });
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    const byFree = apiClient(app, free.token);
    expect((await byFree.post(`/conversations/${c.id}/assign`, { assigneeId: free.user.id })).status).toBe(200);
    const took = (await byFree.get(`/conversations/${c.id}/messages`)).body.items.filter((m: { kind: string }) => m.kind === 'activity').at(-1);
    expect(took.text).toBe('Fay took this conversation');
    // Her own conversation she may let go or hand over (she is not stuck with it)...
    expect((await byFree.post(`/conversations/${c.id}/assign`, { assigneeId: null })).status).toBe(200);
    expect((await byFree.post(`/conversations/${c.id}/assign`, { assigneeId: free.user.id })).status).toBe(200);
    expect((await byFree.post(`/conversations/${c.id}/assign`, { assigneeId: paid.user.id })).status).toBe(200);
    // ...but not take or move someone else's.
    const reassign = await byFree.post(`/conversations/${c.id}/assign`, { assigneeId: free.user.id });
    expect(reassign.status).toBe(403);
    expect(reassign.body.error).toMatchObject({ code: 'forbidden', message: 'With a free seat you can assign only unassigned conversations or your own' });
    // A free seat can be assigned by hand by a paid seat.
    expect((await owner.post(`/conversations/${c.id}/assign`, { assigneeId: free.user.id })).status).toBe(200);
    expect((await owner.post(`/conversations/${c.id}/assign`, { assigneeId: paid.user.id })).status).toBe(200);

    // A restricted inbox: Pat has no access, the admin may only view.
    const admin = await addUser(deps, acct.account, { role: 'admin', name: 'Ada' });
    const restricted = await owner.post('/inboxes', { name: 'VIP', access: 'specific', userIds: [acct.owner.id] });
    const vip = await addConversation(deps, acct.account, restricted.body.id);
    const bad = await owner.post(`/conversations/${vip.id}/assign`, { assigneeId: paid.user.id });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('assigneeId');
    const asAdmin = apiClient(app, admin.token);
    for (const [path, body] of [
      ['assign', { assigneeId: admin.user.id }],
      ['close', {}],
      ['reopen', {}],
      ['snooze', { until: new Date(Date.now() + 3600_000).toISOString() }],
      ['move', { inboxId: acct.inbox.id }],
    ] as const) {
      const res = await asAdmin.post(`/conversations/${vip.id}/${path}`, body);
      expect(res.status, path).toBe(403);
      expect(res.body.error.code, path).toBe('view_only');
    }
    expect((await asAdmin.put(`/conversations/${vip.id}/follow`)).body.error.code).toBe('view_only');
    // Pat cannot even see it.
    expect((await apiClient(app, paid.token).post(`/conversations/${vip.id}/close`, {})).status).toBe(404);
  });

  it('closes and reopens; an inbound reply reopens a closed conversation', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const conv = await sendIn(deps, acct.email.inbound_address, { subject: 'Refund' });
    const closed = await owner.post(`/conversations/${conv}/close`, {});
    expect(closed.body.status).toBe('closed');
    expect((await owner.get(`/conversations?status=closed`)).body.items.map((c: { id: string }) => c.id)).toContain(conv);
    expect((await owner.post(`/conversations/${conv}/reopen`, {})).body.status).toBe('open');
    await owner.post(`/conversations/${conv}/close`, {});
    const row = await deps.store.db.selectFrom('conversations').select('reply_token').where('id', '=', conv).executeTakeFirstOrThrow();
    const [local, domain] = acct.email.inbound_address.split('@');
    const again = await sendIn(deps, `${local}+c_${row.reply_token}@${domain}`, { subject: 'Re: Refund' });
    expect(again).toBe(conv);
    expect((await owner.get(`/conversations/${conv}`)).body.status).toBe('open');
    expect(await activities(acct.token, conv)).toEqual(['closed', 'reopened', 'closed', 'reopened']);
  });

  it('snoozes until a time and the snooze job reopens it then (and only the latest snooze counts)', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    expect((await owner.post(`/conversations/${c.id}/snooze`, { until: new Date(Date.now() - 1000).toISOString() })).status).toBe(400);
    const soon = new Date(Date.now() + 3600_000);
    const later = new Date(Date.now() + 7200_000);
    const s1 = await owner.post(`/conversations/${c.id}/snooze`, { until: soon.toISOString() });
    expect(s1.body).toMatchObject({ status: 'snoozed', snoozedUntil: soon.toISOString() });
    // The activity line reads the time, in UTC, not as an ISO string; its data keeps the exact time.
    const activity = (await owner.get(`/conversations/${c.id}/messages`)).body.items.filter((m: { kind: string }) => m.kind === 'activity').at(-1);
    const readable = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(soon);
    expect(activity.text).toMatch(new RegExp(`snoozed this conversation until ${readable} UTC$`));
    expect(activity.activity).toMatchObject({ type: 'snoozed', until: soon.toISOString() });
    await owner.post(`/conversations/${c.id}/snooze`, { until: later.toISOString() });
    expect((await owner.get('/conversations?status=snoozed')).body.items.map((x: { id: string }) => x.id)).toEqual([c.id]);

    // Not due yet: nothing runs.
    const now = createWorker(deps, { [SNOOZE_WAKE_JOB]: snoozeWakeHandler }, { pollMs: 3600_000 });
    expect(await now.drain()).toBe(0);
    await now.stop();
    // Past the first snooze: its job runs but the conversation is snoozed again until later.
    const t1 = createWorker(deps, { [SNOOZE_WAKE_JOB]: snoozeWakeHandler }, { pollMs: 3600_000, clock: () => new Date(soon.getTime() + 1000) });
    await t1.drain();
    await t1.stop();
    expect((await owner.get(`/conversations/${c.id}`)).body.status).toBe('snoozed');
    const beforeWake = new Date().toISOString();
    const t2 = createWorker(deps, { [SNOOZE_WAKE_JOB]: snoozeWakeHandler }, { pollMs: 3600_000, clock: () => new Date(later.getTime() + 1000) });
    await t2.drain();
    await t2.stop();
    const woken = await owner.get(`/conversations/${c.id}`);
    expect(woken.body).toMatchObject({ status: 'open', snoozedUntil: null });
    // It comes back at the top of the open list: its last activity is the wake-up.
    expect(woken.body.lastActivityAt >= beforeWake).toBe(true);
    expect(await activities(acct.token, c.id)).toEqual(['snoozed', 'snoozed', 'snooze_ended']);
  });

  it('moves a conversation to another inbox, checking access on the target and unassigning an assignee without access', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const agent = await addUser(deps, acct.account, { role: 'agent', name: 'Al' });
    const restricted = await owner.post('/inboxes', { name: 'Escalations', access: 'specific', userIds: [acct.owner.id] });
    const hidden = await owner.post('/inboxes', { name: 'Finance', access: 'specific', userIds: [] });
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    await owner.post(`/conversations/${c.id}/assign`, { assigneeId: agent.user.id });
    // The agent cannot see the target: 404 (its existence is not revealed).
    expect((await apiClient(app, agent.token).post(`/conversations/${c.id}/move`, { inboxId: restricted.body.id })).status).toBe(404);
    // The owner can only view Finance: 403 view_only on the target.
    expect((await owner.post(`/conversations/${c.id}/move`, { inboxId: hidden.body.id })).body.error.code).toBe('view_only');
    const moved = await owner.post(`/conversations/${c.id}/move`, { inboxId: restricted.body.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ inboxId: restricted.body.id, assigneeId: null });
    const msgs = await deps.store.db.selectFrom('messages').select('inbox_id').where('conversation_id', '=', c.id).execute();
    expect(new Set(msgs.map((m) => m.inbox_id))).toEqual(new Set([restricted.body.id]));
    expect((await apiClient(app, agent.token).get(`/conversations/${c.id}`)).status).toBe(404);
    const movedEvents = await eventsOf(deps, acct.account.id, 'conversation.moved');
    expect(movedEvents[0]).toMatchObject({ inbox_id: acct.inbox.id, payload: { conversationId: c.id, toInboxId: restricted.body.id } });
    expect(await activities(acct.token, c.id)).toEqual(['assigned', 'moved', 'unassigned']);
  });

  it('follows and unfollows; followers are notified of an inbound reply', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const fan = await addUser(deps, acct.account, { role: 'agent', name: 'Fiona' });
    const byFan = apiClient(app, fan.token);
    const conv = await sendIn(deps, acct.email.inbound_address, { subject: 'Shipping' });
    const f = await byFan.put(`/conversations/${conv}/follow`);
    expect(f.body).toEqual({ following: true, followerIds: [fan.user.id] });
    const row = await deps.store.db.selectFrom('conversations').select('reply_token').where('id', '=', conv).executeTakeFirstOrThrow();
    const [local, domain] = acct.email.inbound_address.split('@');
    await sendIn(deps, `${local}+c_${row.reply_token}@${domain}`, { subject: 'Re: Shipping', body: 'Any news?' });
    const notes = await byFan.get('/notifications?unread=true');
    expect(notes.body.items).toHaveLength(1);
    expect(notes.body.items[0]).toMatchObject({ kind: 'followed_reply', conversationId: conv });
    expect((await byFan.delete(`/conversations/${conv}/follow`)).body.following).toBe(false);
    await sendIn(deps, `${local}+c_${row.reply_token}@${domain}`, { subject: 'Re: Shipping', body: 'Hello??' });
    expect((await byFan.get('/notifications')).body.items).toHaveLength(1);
  });

  it('notifies users and team members @mentioned in a note; marks notifications read', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const zoe = await addUser(deps, acct.account, { role: 'agent', name: 'Zoe' });
    const yan = await addUser(deps, acct.account, { role: 'agent', name: 'Yan' });
    const xia = await addUser(deps, acct.account, { role: 'agent', name: 'Xia' });
    await addTeam(deps, acct.account, 'Billing', [yan.user.id, xia.user.id]);
    const c = await addConversation(deps, acct.account, acct.inbox.id);
    const note = await owner.post(`/conversations/${c.id}/messages`, { body: 'Hey @Zoe and @Billing, can you check this?', kind: 'note' });
    expect(note.status).toBe(201);
    for (const who of [zoe, yan, xia]) {
      const list = await apiClient(app, who.token).get('/notifications');
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ kind: 'mentioned', conversationId: c.id, messageId: note.body.id, actorName: expect.stringContaining('Owner') });
    }
    expect((await apiClient(app, acct.token).get('/notifications')).body.items).toHaveLength(0);
    const byZoe = apiClient(app, zoe.token);
    const id = (await byZoe.get('/notifications')).body.items[0].id;
    expect((await byZoe.get('/notifications/unread-count')).body.count).toBe(1);
    expect((await byZoe.post(`/notifications/${id}/read`, {})).body.readAt).not.toBeNull();
    expect((await byZoe.get('/notifications/unread-count')).body.count).toBe(0);
    // Someone else's notification is not yours to read.
    const yanId = (await apiClient(app, yan.token).get('/notifications')).body.items[0].id;
    expect((await byZoe.post(`/notifications/${yanId}/read`, {})).status).toBe(404);
    expect((await apiClient(app, yan.token).post('/notifications/read-all', {})).body.count).toBe(1);
  });

  it('emails notifications per preferences: through the relay when there is one, waiting in the outbox when not', async () => {
    const deps = store().deps;
    const acct = await makeAccount(deps);
    const owner = apiClient(app, acct.token);
    const mailer = await addUser(deps, acct.account, { role: 'agent', name: 'Mae' });
    const quiet = await addUser(deps, acct.account, { role: 'agent', name: 'Quinn' });
    await deps.store.db.updateTable('users').set({ notify_email: 0 }).where('id', '=', quiet.user.id).execute();
    await deps.store.db.updateTable('users').set({ notify_in_app: 0 }).where('id', '=', mailer.user.id).execute();
    const c = await addConversation(deps, acct.account, acct.inbox.id, 'Invoice question');
    await owner.post(`/conversations/${c.id}/assign`, { assigneeId: mailer.user.id });
    await owner.post(`/conversations/${c.id}/assign`, { assigneeId: quiet.user.id });
    // Mae: email only; Quinn: in-app only.
    expect((await apiClient(app, mailer.token).get('/notifications')).body.items).toHaveLength(0);
    expect((await apiClient(app, quiet.token).get('/notifications')).body.items).toHaveLength(1);
    const jobs = await deps.store.db.selectFrom('jobs').selectAll().where('type', '=', NOTIFICATION_EMAIL_JOB).where('account_id', '=', acct.account.id).execute();
    expect(jobs.map((j) => JSON.parse(j.payload).userId)).toEqual([mailer.user.id]);

    // No relay configured: the job waits, saying why.
    const noRelay = createWorker({ ...deps, config: { ...deps.config, smtpRelayUrl: undefined } }, { [NOTIFICATION_EMAIL_JOB]: notificationEmailHandler }, { pollMs: 3600_000 });
    await noRelay.drain();
    await noRelay.stop();
    const waiting = await deps.store.db.selectFrom('jobs').selectAll().where('id', '=', jobs[0]!.id).executeTakeFirstOrThrow();
    expect(waiting.status).toBe('queued');
    expect(waiting.last_error).toMatch(/SMTP_RELAY_URL/);

    const sink = await startSmtpSink();
    try {
      const withRelay = createWorker({ ...deps, config: { ...deps.config, smtpRelayUrl: sink.url } }, { [NOTIFICATION_EMAIL_JOB]: notificationEmailHandler }, {
        pollMs: 3600_000,
        clock: () => new Date(Date.now() + 3600_000),
      });
      await withRelay.drain();
      await withRelay.stop();
      // The store is shared by the file's tests: look only at mail for this test's users.
      const mine = sink.messages.filter((m) => m.rcptTo.some((r) => r === mailer.user.email || r === quiet.user.email));
      expect(mine).toHaveLength(1);
      expect(mine[0]!.rcptTo).toEqual([mailer.user.email]);
      const mail = await parseCaught(mine[0]!);
      expect(mail.subject).toContain(`#${c.number}`);
      expect(mail.subject).toContain('Invoice question');
      expect(rawHeader(mail.headerBlock, 'Auto-Submitted')[0]).toMatch(/auto-generated/);
      expect((await deps.store.db.selectFrom('jobs').select('status').where('id', '=', jobs[0]!.id).executeTakeFirstOrThrow()).status).toBe('done');
    } finally {
      await sink.close();
    }
  });
});
