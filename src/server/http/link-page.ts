// The small standalone pages behind links mailed by Parley (verify an address): they are opened
// by people who may have no Parley login, so they are plain HTML without the agent app.
import { escapeHtml } from '../core/sender.ts';

/** A page with a title, a paragraph and, optionally, a form (already-escaped HTML). */
export function linkPage(title: string, text: string, formHtml = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${formHtml}</body></html>`;
}
