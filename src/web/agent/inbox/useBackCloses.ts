// Lets the browser's (or Android's) Back button close an overlay that covers the screen, such as
// the contact panel on a phone, instead of leaving the page under it. While the overlay is open an
// extra history entry stands for it: the same URL, marked in its state (react-router's own state
// kept, so the router sees the same location), so Back pops it and popstate closes the overlay.
// Closed any other way (its button, Escape), it pops that entry itself, so history stays balanced.
// Left while open (the app navigated elsewhere, or the page reloaded), the entry stays under the
// next screen; when Back returns to it, the overlay mounts closed there and steps back over it.
import { useEffect, useEffectEvent } from 'react';

const MARK = 'parleyOverlay';

function isMarked(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as Record<string, unknown>)[MARK] === true;
}

// history.back() is asynchronous: until its popstate arrives, the marked entry is still current,
// and an overlay opened meanwhile must wait rather than mistake that entry for its own.
let popping: Promise<void> | null = null;

function popMarkedEntry(): void {
  popping = new Promise((resolve) => {
    window.addEventListener(
      'popstate',
      () => {
        popping = null;
        resolve();
      },
      { once: true },
    );
  });
  history.back();
}

/**
 * While `open` and the screen matches `media` (checked as it opens), Back calls `onClose`.
 * `media` is where the overlay covers the page; elsewhere Back keeps its usual meaning.
 */
export function useBackCloses(open: boolean, onClose: () => void, media: string): void {
  const close = useEffectEvent(onClose);
  // Mounting closed on a marked entry means Back (or a reload) brought us to a leftover: it shows
  // the same screen as the entry under it, so without this the next Back would change nothing.
  // Only on mounting: a Forward onto our entry while mounted is the one the next opening reuses.
  const stepOverLeftover = useEffectEvent(() => {
    if (!open && isMarked(history.state) && !popping) popMarkedEntry();
  });
  useEffect(() => stepOverLeftover(), []);
  useEffect(() => {
    if (!open || !window.matchMedia(media).matches) return;
    let active = true;
    const onPop = () => {
      if (!isMarked(history.state)) close();
    };
    const start = () => {
      if (!active) return;
      // Already marked (Forward into an entry of ours): that entry stands for this opening.
      if (!isMarked(history.state)) history.pushState({ ...(history.state as object | null), [MARK]: true }, '');
      window.addEventListener('popstate', onPop);
    };
    if (popping) void popping.then(start);
    else start();
    return () => {
      active = false;
      window.removeEventListener('popstate', onPop);
      // Still on our entry: closed by its own button or Escape, not by Back nor by navigating away.
      if (isMarked(history.state) && !popping) popMarkedEntry();
    };
  }, [open, media]);
}
