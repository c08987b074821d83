/**
 * Who is signed in and their settings, loaded once per page load without forcing a sign-in
 * (the hall works for anyone). The server's elder-mode value wins over this phone's; a switch
 * writes both. `storageKey` keys what this phone keeps per citizen (recent services).
 */
import { ref } from 'vue';
import { apiGet, apiPatch, ApiError } from '../common/api';
import { withSignIn } from '../common/auth-redirect';
import type { CitizenPreferences, MeView, PreferencesPatch } from '../../../server/citizens/schema';
import { applyElderMode, elderMode } from './elder-mode';

export type { CitizenPreferences, MeView };

/** null until /api/h5/me answered; 'guest' without a session or for snapshot visitors. */
export const identity = ref<{ storageKey: string } | 'guest' | null>(null);
export const optionalNotifications = ref(true);

let loading: Promise<MeView | null> | null = null;

function adopt(me: MeView | null): void {
  if (me && !me.guest && me.preferences && me.storageKey) {
    identity.value = { storageKey: me.storageKey };
    optionalNotifications.value = me.preferences.optionalNotifications;
    if (me.preferences.elderMode !== elderMode.value) applyElderMode(me.preferences.elderMode);
  } else {
    identity.value = 'guest';
  }
}

/** Loads /api/h5/me once; a 401 just means a guest here (pages that need a sign-in ask for it). */
export function loadMe(): Promise<MeView | null> {
  loading ??= apiGet<MeView>('/api/h5/me')
    .catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return null;
      loading = null; // a network hiccup: try again next time
      return null;
    })
    .then((me) => {
      adopt(me);
      return me;
    });
  return loading;
}

/** 我的设置 needs the account: signs in through OAuth when there is no session. */
export async function loadMeSignedIn(): Promise<MeView> {
  const me = await withSignIn(() => apiGet<MeView>('/api/h5/me'));
  adopt(me);
  loading = Promise.resolve(me);
  return me;
}

async function save(patch: PreferencesPatch): Promise<CitizenPreferences> {
  const prefs = await withSignIn(() => apiPatch<CitizenPreferences>('/api/h5/me/preferences', patch));
  optionalNotifications.value = prefs.optionalNotifications;
  return prefs;
}

/**
 * Switch elder mode: at once on this phone, then on the account when signed in. A failed save
 * keeps the phone's setting and rejects, so the caller can say so.
 */
export async function setElderMode(on: boolean): Promise<void> {
  applyElderMode(on);
  const me = await loadMe();
  if (!me || me.guest) return;
  await save({ elderMode: on });
}

export async function setOptionalNotifications(on: boolean): Promise<void> {
  const before = optionalNotifications.value;
  optionalNotifications.value = on;
  try {
    await save({ optionalNotifications: on });
  } catch (err) {
    optionalNotifications.value = before;
    throw err;
  }
}
