// Keeps a scroll box at its end while the reader is there: a thread opens at its newest message,
// and follows new messages and late growth (email frames sizing themselves, images) as long as
// the reader has not scrolled up to read; then it leaves the view alone.
import { useCallback } from 'react';

/** Within this many pixels of the end counts as "at the end". */
const SLACK = 32;

export function useStickToBottom<T extends HTMLElement>(): (el: T | null) => (() => void) | undefined {
  return useCallback((el: T | null) => {
    if (!el) return undefined;
    let stuck = true;
    const toEnd = () => {
      if (stuck) el.scrollTop = el.scrollHeight;
    };
    // Our own scrolling lands at the end, so it keeps `stuck`; the reader's decides it.
    const onScroll = () => {
      stuck = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK;
    };
    const sizes = new ResizeObserver(toEnd);
    const watchChildren = () => {
      sizes.observe(el);
      for (const child of el.children) sizes.observe(child);
      toEnd();
    };
    // Children change when the messages load or arrive (the box's own size changes too: composer).
    const children = new MutationObserver(watchChildren);
    children.observe(el, { childList: true });
    watchChildren();
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      el.removeEventListener('scroll', onScroll);
      children.disconnect();
      sizes.disconnect();
    };
  }, []);
}
