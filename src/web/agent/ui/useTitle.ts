// Sets the tab title for the current screen ("Unassigned · Support · Parley").
import { useEffect } from 'react';

/** `enabled: false` lets a parent screen yield the title to a child (effects run child first). */
export function useTitle(parts: (string | null | undefined)[], enabled = true): void {
  const title = [...parts.filter((p): p is string => Boolean(p)), 'Parley'].join(' · ');
  useEffect(() => {
    if (enabled) document.title = title;
  }, [title, enabled]);
}
