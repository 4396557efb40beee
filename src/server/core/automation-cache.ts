// Each process's copy of inboxes' automation settings, tagged with the inboxes.automation_revision
// they were read with (in the same statement). Triggers give the inbox a revision never used
// before with any change to those settings (migration 0010), so a copy whose revision equals the
// one a query just read is exactly what that query would have loaded: the assignment decision
// reads the revision along with its candidates and needs no settings query of its own.
// Shared objects: frozen when kept, so a caller that modifies one fails instead of changing
// every later decision's settings.
import type { AutomationSettings } from './automation-settings.ts';

export interface CachedAutomation {
  revision: number;
  settings: AutomationSettings;
}

/** Inboxes kept; the least recently used is dropped first. */
export const AUTOMATION_CACHE_CAPACITY = 5_000;
const entries = new Map<string, CachedAutomation>();

export function cachedAutomation(inboxId: string): CachedAutomation | undefined {
  const entry = entries.get(inboxId);
  if (entry) {
    entries.delete(inboxId); // most recently used last
    entries.set(inboxId, entry);
  }
  return entry;
}

export function keepAutomation(inboxId: string, entry: CachedAutomation): void {
  const { settings } = entry;
  Object.freeze(settings.targetUserIds);
  Object.freeze(settings.targetTeamIds);
  Object.freeze(settings.tickets);
  Object.freeze(settings);
  entries.delete(inboxId);
  entries.set(inboxId, entry);
  if (entries.size > AUTOMATION_CACHE_CAPACITY) entries.delete(entries.keys().next().value!);
}

export function automationCacheSize(): number {
  return entries.size;
}
