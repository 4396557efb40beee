// A transaction's events are numbered and written when it ends: each account's in the order they
// were emitted, contiguous with what that account had, in commit order across concurrent
// transactions, in statements of bounded size however many there are; none when it rolls back.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import type { Deps } from '../src/server/deps.ts';

async function eventsOf(deps: Deps, accountId: string): Promise<Array<{ seq: number; type: string }>> {
  const rows = await deps.store.db.selectFrom('events').select(['seq', 'type']).where('account_id', '=', accountId).orderBy('seq').execute();
  return rows.map((r) => ({ seq: Number(r.seq), type: r.type }));
}

async function seqOf(deps: Deps, accountId: string): Promise<number> {
  const row = await deps.store.db.selectFrom('accounts').select('event_seq').where('id', '=', accountId).executeTakeFirstOrThrow();
  return Number(row.event_seq);
}

describeEachStore('event numbering', (store) => {
  it('numbers each account’s events in emit order, contiguously, across more rows than one insert holds', async () => {
    const deps = store().deps;
    const a = await makeAccount(deps);
    const b = await makeAccount(deps);
    const aBefore = await seqOf(deps, a.account.id);
    const bBefore = await seqOf(deps, b.account.id);
    await deps.run({ kind: 'system', accountId: a.account.id, reason: 'test' }, async (ctx) => {
      for (let i = 0; i < 1_201; i++) {
        await ctx.emit({ type: `a.${i}`, accountId: a.account.id, inboxId: a.inbox.id, data: { i } });
        if (i % 400 === 0) await ctx.emit({ type: `b.${i}`, accountId: b.account.id, inboxId: null, data: {} });
      }
    });
    const aEvents = (await eventsOf(deps, a.account.id)).filter((e) => e.seq > aBefore);
    expect(aEvents.map((e) => e.seq)).toEqual(Array.from({ length: 1_201 }, (_, i) => aBefore + i + 1));
    expect(aEvents.map((e) => e.type)).toEqual(Array.from({ length: 1_201 }, (_, i) => `a.${i}`));
    expect(await seqOf(deps, a.account.id)).toBe(aBefore + 1_201);
    const bEvents = (await eventsOf(deps, b.account.id)).filter((e) => e.seq > bBefore);
    expect(bEvents).toEqual([0, 400, 800, 1200].map((i, k) => ({ seq: bBefore + k + 1, type: `b.${i}` })));
  });

  it('gives concurrent transactions distinct, gapless numbers, and a rolled-back one none', async () => {
    const deps = store().deps;
    const a = await makeAccount(deps);
    const before = await seqOf(deps, a.account.id);
    const emitTwo = (tag: string) =>
      deps.run({ kind: 'system', accountId: a.account.id, reason: 'test' }, async (ctx) => {
        await ctx.emit({ type: `${tag}.1`, accountId: a.account.id, inboxId: null, data: {} });
        await ctx.emit({ type: `${tag}.2`, accountId: a.account.id, inboxId: null, data: {} });
      });
    await Promise.all(Array.from({ length: 10 }, (_, i) => emitTwo(`t${i}`)));
    await expect(
      deps.run({ kind: 'system', accountId: a.account.id, reason: 'test' }, async (ctx) => {
        await ctx.emit({ type: 'lost', accountId: a.account.id, inboxId: null, data: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const events = (await eventsOf(deps, a.account.id)).filter((e) => e.seq > before);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => before + i + 1));
    // Each transaction's two events are adjacent and in order.
    for (let i = 0; i < 20; i += 2) expect(events[i + 1]!.type).toBe(events[i]!.type.replace(/\.1$/, '.2'));
    expect(events.some((e) => e.type === 'lost')).toBe(false);
    expect(await seqOf(deps, a.account.id)).toBe(before + 20);
  });
});
