// The SMTP receiver's remembered RCPT answers (mail/recipient-cache.ts), on both stores: an
// answer is reused while fresh, forgotten when the bus says its account has news, answers for
// unknown addresses are forgotten on any news, and nothing outlives its second.
import { expect, it } from 'vitest';
import { describeEachStore, makeAccount } from './helpers/stores.ts';
import { RecipientCache } from '../src/server/mail/recipient-cache.ts';

describeEachStore('RCPT answers remembered briefly', (store) => {
  it('reuses a fresh answer, and forgets it on news of its account', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const to = acct.email.inbound_address;
    const cache = new RecipientCache(deps.store.db, deps.domains, deps.bus, 60_000);
    try {
      expect((await cache.lookup(to))?.enabled).toBe(true);
      // Changed behind the bus's back (no notice): the remembered answer stands.
      await deps.store.db.updateTable('channels').set({ enabled: 0 }).where('id', '=', acct.channel.id).execute();
      expect((await cache.lookup(to.toUpperCase()))?.enabled).toBe(true);
      // News of another account changes nothing; news of this one is seen at the next RCPT.
      const other = await makeAccount(deps);
      deps.bus.publish(other.account.id);
      expect((await cache.lookup(to))?.enabled).toBe(true);
      deps.bus.publish(acct.account.id);
      expect((await cache.lookup(to))?.enabled).toBe(false);
    } finally {
      cache.close();
    }
  });

  it('forgets unknown addresses on any news, and every answer after its time', async () => {
    const { deps } = store();
    const acct = await makeAccount(deps);
    const cache = new RecipientCache(deps.store.db, deps.domains, deps.bus, 60_000);
    const short = new RecipientCache(deps.store.db, deps.domains, deps.bus, 50);
    try {
      const address = `later-${Date.now()}@${acct.email.inbound_address.split("@")[1]}`;
      expect(await cache.lookup(address)).toBeNull();
      expect(await short.lookup(address)).toBeNull();
      await deps.store.db.insertInto('channel_addresses').values({ address, channel_id: acct.channel.id, kind: 'forwarding' }).execute();
      expect(await cache.lookup(address)).toBeNull();
      await new Promise((r) => setTimeout(r, 80));
      expect((await short.lookup(address))?.channelId).toBe(acct.channel.id);
      deps.bus.publish(`some-other-account`);
      expect((await cache.lookup(address))?.channelId).toBe(acct.channel.id);
    } finally {
      cache.close();
      short.close();
    }
  });
});
