// Settings > Objects > Tickets pipelines: every pipeline with its stages in order; admins create
// pipelines, rename them, add stages and move stages up or down (PUT …/stages/order).
//
// Props:
//   me: MeT — the signed-in user and account.
import { canManageSettings } from '../../../shared/roles.ts';
import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { MeT, PipelineT } from '../../../shared/api.ts';
import { errorMessage, request } from '../api/client.ts';
import { usePipelines, workflowKeys } from '../inbox/workflow-api.ts';
import '../inbox/workflow.css';

export interface PipelinesSettingsProps {
  me: MeT;
}

function PipelineCard({ pipeline, canEdit, run }: { pipeline: PipelineT; canEdit: boolean; run: (fn: () => Promise<unknown>) => Promise<boolean> }) {
  const [name, setName] = useState(pipeline.name);
  const [stage, setStage] = useState('');
  const ids = pipeline.stages.map((s) => s.id);
  const move = (i: number, by: number) => {
    const next = [...ids];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x!);
    return run(() => request('PUT', `/pipelines/${pipeline.id}/stages/order`, { stageIds: next }));
  };
  return (
    <section className="card" aria-label={`Pipeline ${pipeline.name}`}>
      <form
        className="stage-row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => request('PATCH', `/pipelines/${pipeline.id}`, { name }));
        }}
      >
        <input aria-label="Pipeline name" value={name} disabled={!canEdit} onChange={(e) => setName(e.target.value)} className="stage-name" />
        {pipeline.isDefault && <span className="muted small">Default</span>}
        {canEdit && name !== pipeline.name && (
          <button type="submit" className="button button-small button-primary">
            Rename
          </button>
        )}
      </form>
      <ol className="plain-list" aria-label="Stages">
        {pipeline.stages.map((s, i) => (
          <li key={s.id} className="stage-row">
            <span className="stage-name">
              {s.name}
              {s.isClosed ? <span className="muted small"> (closed)</span> : null}
            </span>
            {canEdit && (
              <>
                <button type="button" className="button button-small button-secondary" aria-label={`Move ${s.name} up`} disabled={i === 0} onClick={() => void move(i, -1)}>
                  ↑
                </button>
                <button type="button" className="button button-small button-secondary" aria-label={`Move ${s.name} down`} disabled={i === ids.length - 1} onClick={() => void move(i, 1)}>
                  ↓
                </button>
              </>
            )}
          </li>
        ))}
      </ol>
      {canEdit && (
        <form
          className="stage-row"
          onSubmit={async (e) => {
            e.preventDefault();
            if (stage.trim() && (await run(() => request('POST', `/pipelines/${pipeline.id}/stages`, { name: stage.trim() })))) setStage('');
          }}
        >
          <input aria-label={`New stage in ${pipeline.name}`} placeholder="New stage" value={stage} onChange={(e) => setStage(e.target.value)} className="stage-name" />
          <button type="submit" className="button button-small button-secondary" disabled={!stage.trim()}>
            Add stage
          </button>
        </form>
      )}
    </section>
  );
}

export function PipelinesSettings({ me }: PipelinesSettingsProps) {
  const canEdit = canManageSettings(me.user.role);
  const pipelines = usePipelines();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [stages, setStages] = useState('New\nIn progress\nDone');

  async function run(fn: () => Promise<unknown>): Promise<boolean> {
    setError(null);
    try {
      await fn();
      await client.invalidateQueries({ queryKey: workflowKeys.pipelines });
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    const list = stages.split('\n').map((s) => s.trim()).filter(Boolean);
    const ok = await run(() => request('POST', '/pipelines', { name: name.trim(), stages: list.map((s, i) => ({ name: s, isClosed: i === list.length - 1 })) }));
    if (ok) setName('');
  }

  return (
    <div className="settings-section">
      <header className="section-header">
        <div>
          <h1>Tickets pipelines</h1>
          <p className="muted">Pipelines and stages that tickets in {me.account.name} move through.</p>
        </div>
      </header>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {pipelines.isPending && <p className="muted">Loading pipelines…</p>}
      {pipelines.isError && <p className="alert alert-error">{errorMessage(pipelines.error)}</p>}
      {(pipelines.data ?? []).map((p) => (
        <PipelineCard key={p.id} pipeline={p} canEdit={canEdit} run={run} />
      ))}
      {canEdit && (
        <section className="card" aria-label="Create pipeline">
          <h2>Create pipeline</h2>
          <form className="form" onSubmit={create}>
            <label className="field">
              <span>Name</span>
              <input value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="field">
              <span>Stages, one a line (the last one closes tickets)</span>
              <textarea rows={4} value={stages} onChange={(e) => setStages(e.target.value)} />
            </label>
            <button type="submit" className="button button-primary" disabled={!name.trim()}>
              Create pipeline
            </button>
          </form>
        </section>
      )}
    </div>
  );
}
