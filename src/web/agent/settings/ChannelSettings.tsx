// One channel's settings ("Edit" next to the fallback email): tabs Configuration, Access and
// Automation, each a component another part of the product owns.
import { Link, NavLink, useParams } from 'react-router';
import { Redirect } from '../ui/Redirect.tsx';
import { useInboxes, useRefresh } from '../api/queries.ts';
import { errorMessage } from '../api/client.ts';
import { ConfigurationTab } from './ConfigurationTab.tsx';
import { AccessTab } from './AccessTab.tsx';
import { AutomationTab } from './AutomationTab.tsx';
import { TeamAddressVerification } from './TeamAddressVerification.tsx';

const TABS = [
  { slug: 'configuration', label: 'Configuration' },
  { slug: 'access', label: 'Access' },
  { slug: 'automation', label: 'Automation' },
] as const;

export function ChannelSettings() {
  const { inboxId, channelId, tab = 'configuration' } = useParams();
  const inboxes = useInboxes();
  const refresh = useRefresh();
  if (inboxes.isPending) return <div className="page-status" role="status">Loading…</div>;
  if (inboxes.isError) return <div className="alert alert-error" role="alert">{errorMessage(inboxes.error)}</div>;
  const inbox = inboxes.data.find((i) => i.id === inboxId);
  const channel = inbox?.channels.find((c) => c.id === channelId);
  if (!inbox || !channel) return <Redirect to="/settings/inboxes" />;
  const onChanged = () => void refresh.inboxes();
  const title = channel.email?.isFallback ? 'Fallback email' : channel.name;
  return (
    <div className="settings-section">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to={`/settings/inboxes/${inbox.id}`}>Inboxes</Link> <span aria-hidden="true">›</span> <span>{inbox.name}</span>
      </nav>
      <header className="section-header">
        <div>
          <h1>{title}</h1>
          {channel.email && <p className="muted">{channel.email.inboundAddress}</p>}
          <TeamAddressVerification channel={channel} onChanged={onChanged} />
        </div>
      </header>
      <nav className="tabs" aria-label="Channel settings">
        {TABS.map((t) => (
          <NavLink key={t.slug} to={`/settings/inboxes/${inbox.id}/channels/${channel.id}/${t.slug}`} className={tab === t.slug ? 'tab active' : 'tab'} aria-current={tab === t.slug ? 'page' : undefined}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <section className="card">
        {tab === 'configuration' && <ConfigurationTab inbox={inbox} channel={channel} onChanged={onChanged} />}
        {tab === 'access' && <AccessTab inbox={inbox} onChanged={onChanged} />}
        {tab === 'automation' && <AutomationTab inbox={inbox} onChanged={onChanged} />}
      </section>
    </div>
  );
}
