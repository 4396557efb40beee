// Lets the browser's (or Android's) Back button close an overlay that covers the screen, such as
// the contact panel on a phone, instead of leaving the page under it. While the overlay is open an
// extra history entry stands for it: the same URL, marked in its state (react-router's own state
// kept, so the router sees the same location), so Back pops it and popstate closes the overlay.
// Closed any other way (its button, Escape), it pops that entry itself, so history stays balanced.
// Forward onto that entry after Back closed the overlay opens it again: the state Back left.
// Left while open (the app navigated elsewhere, or the page reloaded), the entry stays under the
// next screen, a leftover showing the same screen as the entry under it. When Back returns to it,
// the overlay mounts closed there and steps back over it, marking it as left behind; Forward onto
// a marked leftover steps on over it, to the screen Back came from. A control that navigates while
// the overlay covers the screen (the notifications bell) calls leaveOverlay() first, so that no
// leftover is made at all. It must when the navigation may keep this screen mounted (a notification
// about the conversation on screen): nothing would mount on that leftover to step over it, and Back
// onto it would open the overlay again.
import { useEffect, useEffectEvent } from 'react';

const MARK = 'parleyOverlay';
/** Also on a marked entry once stepped back over: a screen the app navigated to stands above it. */
const LEFT = 'parleyOverlayLeft';

function flag(state: unknown, name: string): boolean {
  return typeof state === 'object' && state !== null && (state as Record<string, unknown>)[name] === true;
}
const isMarked = (state: unknown) => flag(state, MARK);

// history.back() and forward() are asynchronous: until their popstate arrives, the entry stepped
// off is still current, and an overlay opened meanwhile must wait rather than mistake it for its own.
let popping: Promise<void> | null = null;

/** Whether any Back or Forward happened since the page loaded: mounting on a marked entry before one means a reload. */
let traversed = false;
window.addEventListener('popstate', () => {
  traversed = true;
});

function step(direction: 'back' | 'forward'): void {
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
  if (direction === 'back') history.back();
  else history.forward();
}

/** Steps back over a leftover, marking it so that a later Forward onto it steps on to the screen above it. */
function stepBackOverLeftover(): void {
  history.replaceState({ ...(history.state as object), [LEFT]: true }, '');
  step('back');
}

/**
 * When the current history entry is an overlay's, steps back off it as the user's Back would (the
 * overlay closes through its popstate), and resolves once there. For a control that stays usable
 * over an overlay and navigates: the new screen then takes the overlay's place in the history
 * rather than leaving its entry under it.
 */
export async function leaveOverlay(): Promise<void> {
  if (popping) await popping;
  if (!isMarked(history.state)) return;
  step('back');
  await popping;
}

/**
 * While `open` and the screen matches `media` (checked as it opens), Back calls `onClose`.
 * `media` is where the overlay covers the page; elsewhere Back keeps its usual meaning.
 * `onReopen`: a Forward back onto the overlay's entry after Back closed it opens it again.
 */
export function useBackCloses(open: boolean, onClose: () => void, media: string, onReopen?: () => void): void {
  const close = useEffectEvent(onClose);
  // Mounting closed on a marked entry means Back (or a reload) brought us to a leftover: it shows
  // the same screen as the entry under it, so without this the next Back would change nothing.
  // After a reload the entry was the overlay's own, the last one: not marked as left, so that
  // Forward onto it opens the overlay again rather than stepping forward into nothing.
  const stepOverOnMount = useEffectEvent(() => {
    if (open || !isMarked(history.state) || popping) return;
    if (traversed) stepBackOverLeftover();
    else step('back');
  });
  useEffect(() => stepOverOnMount(), []);
  // Forward onto a marked entry while mounted and closed (while open, popstate is the effect
  // below's): on over a leftover, or back into the overlay Back closed.
  const onTraverse = useEffectEvent(() => {
    if (open || popping || !isMarked(history.state)) return;
    if (flag(history.state, LEFT)) step('forward');
    else onReopen?.();
  });
  useEffect(() => {
    const listener = () => onTraverse();
    window.addEventListener('popstate', listener);
    return () => window.removeEventListener('popstate', listener);
  }, []);
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
      if (isMarked(history.state) && !popping) step('back');
    };
  }, [open, media]);
}
