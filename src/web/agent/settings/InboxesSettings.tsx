// Settings > Inbox > Inboxes: the "Current view" inbox with its "Actions" (Rename inbox,
// Create new inbox), and tabs for its channels (with "Connect a channel"), Access and Automation.
import { useState } from 'react';
import { NavLink, useNavigate, useParams } from 'react-router';
import { Redirect } from '../ui/Redirect.tsx';
import type { InboxT, MeT } from '../../../shared/api.ts';
import { useInboxes, useRefresh } from '../api/queries.ts';
import { canManageSettings } from '../../../shared/roles.ts';
import { errorMessage } from '../api/client.ts';
import { InboxSwitcher } from '../inbox/InboxSwitcher.tsx';
import { Menu } from '../ui/Menu.tsx';
import { ChannelRow } from './ChannelRow.tsx';
import { RenameInboxDialog } from './RenameInboxDialog.tsx';
import { CreateInboxWizard } from './CreateInboxWizard.tsx';
import { ConnectChannelDialog } from './ConnectChannelDialog.tsx';
import { AccessTab } from './AccessTab.tsx';
import { AutomationTab } from './AutomationTab.tsx';

const TABS = [
  { slug: 'channels', label: 'Channels' },
  { slug: 'access', label: 'Access' },
  { slug: 'automation', label: 'Automation' },
] as const;

export function InboxesSettings({ me }: { me: MeT }) {
  const { inboxId, tab = 'channels' } = useParams();
  const inboxes = useInboxes();
  const refresh = useRefresh();
  const navigate = useNavigate();
  const [dialog, setDialog] = useState<'rename' | 'create' | 'connect' | null>(null);
  const canEdit = canManageSettings(me.user.role);
  const [connectTo, setConnectTo] = useState<InboxT | null>(null);

  if (inboxes.isPending) return <div className="page-status" role="status">Loading inboxes…</div>;
  if (inboxes.isError) return <div className="alert alert-error" role="alert">{errorMessage(inboxes.error)}</div>;
  const all = inboxes.data;
  const inbox = all.find((i) => i.id === inboxId) ?? all[0];
  if (!inbox) return <p className="muted">You don't have access to any inbox.</p>;
  if (inbox.id !== inboxId) return <Redirect to={`/settings/inboxes/${inbox.id}`} />;
  const onChanged = () => {
    void refresh.inboxes();
  };

  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Inboxes</h1>
          <p className="muted">Manage the channels connected to each inbox, who can access it, and how conversations are assigned.</p>
        </div>
      </header>
      <div className="toolbar">
        <InboxSwitcher inboxes={all} value={inbox.id} onChange={(id) => navigate(`/settings/inboxes/${id}/${tab}`)} />
        {canEdit && (
          <Menu
            label="Actions"
            items={[
              { label: 'Rename inbox', onSelect: () => setDialog('rename') },
              { label: 'Create new inbox', onSelect: () => setDialog('create') },
            ]}
          />
        )}
      </div>
      {!canEdit && (
        <p className="alert alert-warning" role="note">
          Only admins can change inbox settings; you can see them here.
        </p>
      )}

      <nav className="tabs" aria-label="Inbox settings">
        {TABS.map((t) => (
          <NavLink key={t.slug} to={`/settings/inboxes/${inbox.id}/${t.slug}`} className={tab === t.slug ? 'tab active' : 'tab'} aria-current={tab === t.slug ? 'page' : undefined}>
            {t.label}
          </NavLink>
        ))}
      </nav>

      {tab === 'channels' && (
        <section className="card" aria-label="Channels">
          <header className="card-header">
            <div>
              <h2>Connected channels</h2>
              <p className="muted small">Messages from these channels arrive in {inbox.name}. Turn a channel off to stop receiving and sending through it.</p>
            </div>
            {canEdit && (
              <button
                type="button"
                className="button button-primary"
                onClick={() => {
                  setConnectTo(inbox);
                  setDialog('connect');
                }}
              >
                Connect a channel
              </button>
            )}
          </header>
          {inbox.channels.length === 0 ? (
            <p className="muted">No channels yet. Connect one to start receiving messages.</p>
          ) : (
            <ul className="channel-list">
              {inbox.channels.map((channel) => (
                <ChannelRow key={channel.id} inbox={inbox} channel={channel} onChanged={onChanged} canEdit={canEdit} />
              ))}
            </ul>
          )}
        </section>
      )}
      {tab === 'access' && (
        <section className="card">
          <AccessTab inbox={inbox} onChanged={onChanged} />
        </section>
      )}
      {tab === 'automation' && (
        <section className="card">
          <AutomationTab inbox={inbox} onChanged={onChanged} />
        </section>
      )}

      <RenameInboxDialog inbox={inbox} open={dialog === 'rename'} onClose={() => setDialog(null)} onRenamed={onChanged} />
      <CreateInboxWizard
        account={me.account}
        open={dialog === 'create'}
        onClose={() => setDialog(null)}
        onCreated={onChanged}
        onFinished={(created) => {
          setDialog(null);
          navigate(`/settings/inboxes/${created.id}`);
        }}
        onConnectChannel={(created) => {
          setConnectTo(created);
          setDialog('connect');
        }}
      />
      {connectTo && <ConnectChannelDialog inbox={connectTo} open={dialog === 'connect'} onClose={() => setDialog(null)} onChanged={onChanged} />}
    </div>
  );
}
