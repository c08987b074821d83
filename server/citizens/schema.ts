import { z } from 'zod';

/** Contracts of the citizens area that H5 pages use (they import the types). */

export interface CitizenPreferences {
  /** 适老化: larger type, higher contrast, simpler layout */
  elderMode: boolean;
  /** non-essential template notifications (reminders, tips); decisions on applications are always sent */
  optionalNotifications: boolean;
}

/** Defaults for a citizen the portal does not know (and after an unfollow erased them). */
export const DEFAULT_PREFERENCES: CitizenPreferences = { elderMode: false, optionalNotifications: true };

/** Strict, so a misspelt field is a 400 rather than a silent no-op. */
export const preferencesPatch = z
  .object({
    elderMode: z.boolean().optional(),
    optionalNotifications: z.boolean().optional(),
  })
  .strict();
export type PreferencesPatch = z.infer<typeof preferencesPatch>;

export interface MeView {
  guest: boolean;
  subscribed: boolean;
  displayName: string | null;
  /** absent for guests (snapshot visitors have no stored preferences) */
  preferences?: CitizenPreferences;
  /**
   * An opaque key for what the phone keeps locally for this citizen (recent services), so two
   * people sharing a phone do not see each other's. Derived with a server secret: it identifies
   * nobody outside this browser's storage.
   */
  storageKey?: string;
}
