/**
 * 长辈模式 (elder-friendly mode): larger type, stronger contrast and a simpler layout, switched
 * by a class on <html> so every page and Vant component follows (styles.css).
 *
 * Remembered in two places: this phone's localStorage, read before the first render so the
 * page never jumps size (and the only memory a guest has), and the citizen's account on the
 * server, which wins once we know who is signed in, so the setting follows them to another
 * phone. Switching writes both (preferences.ts does the server part).
 */
import { ref } from 'vue';

const STORAGE_KEY = 'gp.h5.elder';
export const ELDER_CLASS = 'elder';

function readStored(): boolean {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

/** Shared state: the hall's switch, 我的设置 and any layout that simplifies read the same ref. */
export const elderMode = ref(false);

/** Show the mode and remember it on this phone (no server call). */
export function applyElderMode(on: boolean): void {
  elderMode.value = on;
  document.documentElement.classList.toggle(ELDER_CLASS, on);
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? '1' : '0');
  } catch {
    /* the mode still applies for this page */
  }
}

/** Applies the remembered mode before the first render, so the page never jumps size. */
export function initElderMode(): void {
  elderMode.value = readStored();
  document.documentElement.classList.toggle(ELDER_CLASS, elderMode.value);
}
