/**
 * Keyboard focus after an action. A control that is disabled while its request runs, or that the
 * new data renders away, takes focus with it: Chromium moves it to <body>, and the next Tab starts
 * again at the top of the page. These helpers put focus back where a keyboard user expects it.
 */
import { nextTick } from 'vue';

/** Nothing on the page has focus (it sat on a control that was disabled or removed). */
export const focusLost = (): boolean => !document.activeElement || document.activeElement === document.body;

const usable = (el: HTMLElement | null | undefined): el is HTMLElement =>
  Boolean(el?.isConnected) && !(el as HTMLButtonElement).disabled;

/** Focuses the first candidate still on the page and enabled; true when one took focus. */
export function focusFirst(...candidates: (HTMLElement | null | undefined)[]): boolean {
  const el = candidates.find(usable);
  el?.focus();
  return Boolean(el) && document.activeElement === el;
}

/**
 * Runs an action started from the focused control. If focus was lost meanwhile, it goes back to
 * that control once the page has re-rendered (it was only disabled while busy), or to
 * `fallback()` when the control is gone.
 */
export async function keepingFocus<T>(action: () => Promise<T>, fallback: () => HTMLElement | null | undefined): Promise<T> {
  const origin = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  try {
    return await action();
  } finally {
    await nextTick();
    if (focusLost()) focusFirst(origin, fallback());
  }
}
