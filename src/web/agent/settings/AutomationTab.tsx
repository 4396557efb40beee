// An inbox's Automation tab, in the seed's words: the "Automatically assign conversations"
// switch, the "Assign to" dropdown ("Specific users and teams" or "Contact owner"), a
// users-and-teams picker that offers only paid seats, the "Assign to available users only"
// checkbox, and "Treat incoming conversations as support tickets" with "Edit ticket", which opens
// a right-hand panel with the pipeline, stage and ticket owner. Save: PUT
// /api/v1/inboxes/{id}/automation (admins; others see the settings read-only).
//
// Props:
//   inbox: InboxT — the inbox whose automation is configured.
//   onChanged: () => void — called after saving.
import { useEffect, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { AutomationT, InboxT, UserT } from '../../../shared/api.ts';
import { errorMessage } from '../api/client.ts';
import { useSave } from '../ui/useSave.ts';
import { actsIn } from '../api/access.ts';
import { useCanManageSettings, useTeams, useUsers } from '../api/queries.ts';
import { Switch } from '../ui/Switch.tsx';
import { usePipelines, workflow, workflowKeys } from '../inbox/workflow-api.ts';
import '../inbox/workflow.css';

export interface AutomationTabProps {
  inbox: InboxT;
  onChanged: () => void;
}

type Draft = Omit<AutomationT, 'inboxId'>;

/** Who automatic assignment could pick in the inbox. */
const assignable = (inbox: InboxT, u: UserT) => u.seat === 'paid' && !u.deactivatedAt && actsIn(inbox, u);

const toggle = (list: string[], id: string) => (list.includes(id) ? list.filter((x) => x !== id) : [...list, id]);

function TicketPanel({
  inbox,
  draft,
  setDraft,
  onClose,
  onSave,
  saving,
  disabled,
}: {
  inbox: InboxT;
  draft: Draft;
  setDraft: (d: Draft) => void;
  onClose: () => void;
  onSave: () => void;
  saving: boolean;
  disabled: boolean;
}) {
  const pipelines = usePipelines();
  const users = useUsers();
  // Owners must be able to open the tickets they own; one chosen before stays listed, to be changed.
  const owners = (users.data ?? []).filter((u) => (actsIn(inbox, u) && !u.deactivatedAt) || u.id === draft.tickets.ownerUserId);
  const t = draft.tickets;
  const pipeline = pipelines.data?.find((p) => p.id === t.pipelineId) ?? pipelines.data?.find((p) => p.isDefault) ?? pipelines.data?.[0];
  const set = (patch: Partial<Draft['tickets']>) => setDraft({ ...draft, tickets: { ...t, ...patch } });
  return (
    <>
      <div className="side-panel-scrim" onClick={onClose} />
      <aside className="side-panel" role="dialog" aria-label="Edit ticket">
        <h2>Edit ticket</h2>
        <p className="muted small">The properties each new ticket gets in this inbox.</p>
        <label className="field">
          <span>Pipeline</span>
          <select aria-label="Pipeline" value={pipeline?.id ?? ''} disabled={disabled} onChange={(e) => set({ pipelineId: e.target.value, stageId: null })}>
            {(pipelines.data ?? []).map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Ticket status</span>
          <select aria-label="Stage" value={t.stageId ?? pipeline?.stages[0]?.id ?? ''} disabled={disabled} onChange={(e) => set({ pipelineId: pipeline?.id ?? null, stageId: e.target.value })}>
            {(pipeline?.stages ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Ticket owner</span>
          <select
            aria-label="Ticket owner"
            value={t.ownerMode === 'user' ? (t.ownerUserId ?? '') : ''}
            disabled={disabled}
            onChange={(e) => set(e.target.value ? { ownerMode: 'user', ownerUserId: e.target.value } : { ownerMode: 'assignee', ownerUserId: null })}
          >
            <option value="">Conversation owner (default)</option>
            {owners.map((u) => (
              <option key={u.id} value={u.id}>
                {u.fullName || u.email}
                {actsIn(inbox, u) ? '' : ' (cannot act in this inbox)'}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">By default, if you have set up automatic assignment rules in the inbox, the ticket owner will be the same as the conversation owner.</p>
        <div className="dialog-footer">
          <button type="button" className="button button-secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="button button-primary" disabled={disabled || saving} onClick={onSave}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </aside>
    </>
  );
}

export function AutomationTab({ inbox, onChanged }: AutomationTabProps) {
  const canEdit = useCanManageSettings();
  const client = useQueryClient();
  const settings = useQuery({ queryKey: workflowKeys.automation(inbox.id), queryFn: () => workflow.automation(inbox.id), enabled: canEdit });
  const users = useUsers();
  const teams = useTeams();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [panelOpen, setPanelOpen] = useState(false);
  const { saving, error, saved, run, reset } = useSave();

  useEffect(() => {
    if (settings.data) {
      const { inboxId: _inboxId, ...rest } = settings.data;
      setDraft(rest);
    }
  }, [settings.data]);

  if (!canEdit) return <section aria-label="Automation"><p className="muted">Only admins can see and change an inbox’s automation.</p></section>;
  if (settings.isPending || !draft) return <section aria-label="Automation"><p className="muted" role="status">Loading automation settings…</p></section>;
  if (settings.isError) return <section aria-label="Automation"><p className="alert alert-error">{errorMessage(settings.error)}</p></section>;

  // Targets saved before someone lost access stay listed (checked), so they can be unticked.
  const targetUsers = (users.data ?? []).filter((u) => assignable(inbox, u) || draft.targetUserIds.includes(u.id));
  const memberOf = new Map((users.data ?? []).map((u) => [u.id, u]));
  const teamAssignable = (memberIds: string[]) => memberIds.some((id) => {
    const u = memberOf.get(id);
    return u !== undefined && assignable(inbox, u);
  });
  const targetTeams = (teams.data ?? []).filter((t) => teamAssignable(t.memberIds) || draft.targetTeamIds.includes(t.id));
  const set = (patch: Partial<Draft>) => {
    reset();
    setDraft({ ...draft, ...patch });
  };

  async function save(e?: FormEvent) {
    e?.preventDefault();
    if (!draft) return;
    const ok = await run(async () => client.setQueryData(workflowKeys.automation(inbox.id), await workflow.saveAutomation(inbox.id, draft)));
    if (!ok) return;
    setPanelOpen(false);
    onChanged();
  }

  return (
    <section aria-label="Automation" className="automation-tab">
      <form className="form" onSubmit={save}>
        <div className="field">
          <span className="check">
            <Switch label="Automatically assign conversations" checked={draft.autoAssign} onChange={(on) => set({ autoAssign: on })} disabled={saving} />
            <strong>Automatically assign conversations</strong>
          </span>
          <p className="muted small">Incoming conversations can only be automatically assigned to users with a paid seat.</p>
        </div>
        {draft.autoAssign && (
          <>
            <label className="field">
              <span>Assign to</span>
              <select aria-label="Assign to" value={draft.assignTo} onChange={(e) => set({ assignTo: e.target.value as Draft['assignTo'] })}>
                <option value="specific">Specific users and teams</option>
                <option value="contact_owner">Contact owner</option>
              </select>
            </label>
            {draft.assignTo === 'specific' ? (
              <fieldset className="picker">
                <legend>Specific users and teams</legend>
                <p className="muted small">
                  The eligible member with the fewest open conversations gets each new one; ties go to whoever has waited longest since their last assignment. Only users with a paid seat who
                  can act in this inbox (see its Access tab) can be chosen.
                </p>
                <div className="picker-list">
                  {targetTeams.length > 0 && <p className="picker-heading">Teams</p>}
                  {targetTeams.map((t) => (
                    <label key={t.id} className="check">
                      <input type="checkbox" checked={draft.targetTeamIds.includes(t.id)} onChange={() => set({ targetTeamIds: toggle(draft.targetTeamIds, t.id) })} />
                      {t.name}
                      {!teamAssignable(t.memberIds) && <span className="tone-bad small"> no member can be assigned here</span>}
                    </label>
                  ))}
                  <p className="picker-heading">Users</p>
                  {targetUsers.map((u) => (
                    <label key={u.id} className="check">
                      <input type="checkbox" checked={draft.targetUserIds.includes(u.id)} onChange={() => set({ targetUserIds: toggle(draft.targetUserIds, u.id) })} />
                      {u.fullName || u.email} <span className="muted small">{u.email} · {u.availability === 'away' ? 'away' : 'available'}</span>
                      {!assignable(inbox, u) && <span className="tone-bad small"> cannot be assigned here</span>}
                    </label>
                  ))}
                  {targetUsers.length === 0 && <p className="muted small">No user with a paid seat can act in this inbox yet.</p>}
                </div>
              </fieldset>
            ) : (
              <p className="muted small">Incoming conversations go to the contact’s owner. If the owner is away, the message is also emailed to them; with no eligible owner the conversation stays unassigned.</p>
            )}
            <label className="check">
              <input type="checkbox" checked={draft.availableOnly} onChange={(e) => set({ availableOnly: e.target.checked })} />
              Assign to available users only
            </label>
            <p className="muted small">If no agents are available, the conversation will be unassigned.</p>
          </>
        )}
        <div className="field">
          <span className="check">
            <Switch label="Treat incoming conversations as support tickets" checked={draft.tickets.enabled} onChange={(on) => set({ tickets: { ...draft.tickets, enabled: on } })} disabled={saving} />
            <strong>Treat incoming conversations as support tickets</strong>
            <button type="button" className="button button-small button-secondary" onClick={() => setPanelOpen(true)}>
              Edit ticket
            </button>
          </span>
        </div>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        {saved && (
          <p className="muted" role="status">
            Saved.
          </p>
        )}
        <div>
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
      {panelOpen && <TicketPanel inbox={inbox} draft={draft} setDraft={(d) => set(d)} onClose={() => setPanelOpen(false)} onSave={() => void save()} saving={saving} disabled={false} />}
    </section>
  );
}
