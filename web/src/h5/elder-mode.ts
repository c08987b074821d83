/**
 * 长辈模式 (elder-friendly mode): larger type and stronger contrast, switched by a class on
 * <html> so every page and Vant component follows (styles.css), remembered per device.
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

/** Shared state: the hall's switch and any later page read the same ref. */
export const elderMode = ref(false);

export function setElderMode(on: boolean): void {
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
