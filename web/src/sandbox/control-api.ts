/**
 * The simulated WeChat platform's control API (`/sandbox/api/*`, server/sandbox/control-routes.ts)
 * as the phone emulator calls it. Shapes come from the server's own types (`import type`
 * vanishes at build time), so the page cannot drift from the contract.
 */
import { apiDelete, apiGet, apiPost, apiPut, withQuery } from '../common/api';
import type { MenuTap } from '../../../server/sandbox/actions';
import type { presentUser } from '../../../server/sandbox/control-schema';
import type { FaultSettings } from '../../../server/sandbox/faults';
import type { MenuButton } from '../../../server/sandbox/menu-rules';
import type { MatchedMenu } from '../../../server/sandbox/menus';
import type { SandboxTemplate } from '../../../server/sandbox/templates';
import type { ChatArticle, ChatEntry, PushOutcome, TemplateCard } from '../../../server/sandbox/types';

export type { ChatArticle, ChatEntry, FaultSettings, MatchedMenu, MenuButton, MenuTap, PushOutcome, SandboxTemplate, TemplateCard };
export type { EndpointFault } from '../../../server/sandbox/faults';

/** A simulated WeChat user as the control API presents them. */
export type SandboxUserView = ReturnType<typeof presentUser>;

/** Where a menu button sits: a top button, or one of its sub-buttons. */
export interface MenuPosition {
  button: number;
  sub?: number;
}

const BASE = '/sandbox/api';
const userPath = (id: string, rest = '') => `${BASE}/users/${encodeURIComponent(id)}${rest}`;

export interface ControlApi {
  listUsers(): Promise<SandboxUserView[]>;
  createUser(input: { nickname?: string; follow?: boolean }): Promise<{ user: SandboxUserView; push?: PushOutcome }>;
  follow(id: string): Promise<{ user: SandboxUserView; push: PushOutcome }>;
  unfollow(id: string): Promise<{ user: SandboxUserView; push: PushOutcome }>;
  sendText(id: string, content: string): Promise<{ message: ChatEntry; push: PushOutcome }>;
  /** The menu this user sees (conditional menus matched), null when none is published. */
  menuFor(id: string): Promise<MatchedMenu | null>;
  tapMenu(id: string, at: MenuPosition): Promise<MenuTap>;
  /** Where the phone's browser goes for a link this user opens; also makes the phone this user's. */
  openUrl(id: string, url: string): Promise<{ url: string }>;
  chat(id: string, after?: number): Promise<ChatEntry[]>;
  /** The phone is now held by this user: the authorize step will not ask who it is. */
  holdPhone(userId: string): Promise<{ user: SandboxUserView }>;
  templates(): Promise<SandboxTemplate[]>;
  faults(): Promise<FaultSettings>;
  setFaults(settings: FaultSettings): Promise<FaultSettings>;
  clearFaults(): Promise<FaultSettings>;
  expireTokens(): Promise<{ expired: number }>;
  reset(): Promise<{ users: number }>;
}

export const controlApi: ControlApi = {
  listUsers: () => apiGet(`${BASE}/users`),
  createUser: (input) => apiPost(`${BASE}/users`, input),
  follow: (id) => apiPost(userPath(id, '/follow')),
  unfollow: (id) => apiPost(userPath(id, '/unfollow')),
  sendText: (id, content) => apiPost(userPath(id, '/messages'), { content }),
  menuFor: (id) => apiGet(userPath(id, '/menu')),
  tapMenu: (id, at) => apiPost(userPath(id, '/menu-taps'), at.sub === undefined ? { button: at.button } : at),
  openUrl: (id, url) => apiPost(userPath(id, '/open-url'), { url }),
  chat: (id, after) => apiGet(withQuery(userPath(id, '/chat'), { after })),
  holdPhone: (userId) => apiPost(`${BASE}/phone`, { userId }),
  templates: () => apiGet(`${BASE}/templates`),
  faults: () => apiGet(`${BASE}/faults`),
  setFaults: (settings) => apiPut(`${BASE}/faults`, settings),
  clearFaults: () => apiDelete(`${BASE}/faults`),
  expireTokens: () => apiPost(`${BASE}/faults/expire-tokens`),
  reset: () => apiPost(`${BASE}/reset`),
};
