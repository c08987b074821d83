import { menuHosts, type MatchRule, type MenuButton } from './menu-rules';
import type { SandboxUser } from './types';
import { WxError } from './wire';

/**
 * The published menus: one default and any conditional ones (newest first when matching).
 * Deleting the default deletes them all; a conditional menu needs a default first; all
 * conditional menus together may link to at most 3 domains.
 */
interface Conditional {
  menuid: number;
  button: MenuButton[];
  matchrule: MatchRule;
}

export interface MatchedMenu {
  menuid: number;
  conditional: boolean;
  button: MenuButton[];
}

export interface MenuStore {
  create(button: MenuButton[]): number;
  remove(): void;
  addConditional(button: MenuButton[], matchrule: MatchRule): number;
  removeConditional(menuid: string): void;
  /** `menu/get`'s answer, or undefined when no menu exists (46003). */
  get(): Record<string, unknown> | undefined;
  /** `get_current_selfmenu_info`'s answer. */
  selfmenuInfo(): Record<string, unknown>;
  /** The menu this user sees, or undefined when none is published. */
  match(user: SandboxUser): MatchedMenu | undefined;
  reset(): void;
}

const MAX_CONDITIONAL_DOMAINS = 3;

/** menu/get lists every button with a `sub_button` array, empty for leaves. */
export function withSubArrays(b: MenuButton): Record<string, unknown> {
  return { ...b, sub_button: (b.sub_button ?? []).map(withSubArrays) };
}

/** get_current_selfmenu_info nests sub-buttons as `sub_button: { list: [...] }`. */
function selfmenuButton(b: MenuButton): Record<string, unknown> {
  if (b.sub_button) return { name: b.name, sub_button: { list: b.sub_button.map(selfmenuButton) } };
  return { ...b };
}

export function createMenuStore(): MenuStore {
  let seq = 0;
  let defaultMenu: { menuid: number; button: MenuButton[] } | undefined;
  let conditionals: Conditional[] = [];
  const nextId = () => 400_000_000 + ++seq;

  function matches(rule: MatchRule, user: SandboxUser): boolean {
    // With several tags, the platform uses the most recently applied one.
    if (rule.tag_id !== undefined && String(user.tagids[user.tagids.length - 1] ?? '') !== rule.tag_id) return false;
    if (rule.client_platform_type !== undefined && String(user.clientPlatform) !== rule.client_platform_type) return false;
    return true;
  }

  return {
    create(button) {
      defaultMenu = { menuid: nextId(), button };
      return defaultMenu.menuid;
    },
    remove() {
      defaultMenu = undefined;
      conditionals = [];
    },
    addConditional(button, matchrule) {
      if (!defaultMenu) throw new WxError(65303);
      const hosts = new Set([...conditionals.flatMap((c) => [...menuHosts(c.button)]), ...menuHosts(button)]);
      if (hosts.size > MAX_CONDITIONAL_DOMAINS) throw new WxError(65316);
      const menuid = nextId();
      conditionals.push({ menuid, button, matchrule });
      return menuid;
    },
    removeConditional(menuid) {
      const i = conditionals.findIndex((c) => String(c.menuid) === menuid);
      if (i === -1) throw new WxError(65301);
      conditionals.splice(i, 1);
    },
    get() {
      if (!defaultMenu) return undefined;
      const menu: Record<string, unknown> = { button: defaultMenu.button.map(withSubArrays) };
      if (conditionals.length === 0) return { menu };
      return {
        menu: { ...menu, menuid: defaultMenu.menuid },
        conditionalmenu: conditionals.map((c) => ({ button: c.button.map(withSubArrays), matchrule: c.matchrule, menuid: c.menuid })),
      };
    },
    selfmenuInfo() {
      if (!defaultMenu) return { is_menu_open: 0, selfmenu_info: { button: [] } };
      return { is_menu_open: 1, selfmenu_info: { button: defaultMenu.button.map(selfmenuButton) } };
    },
    match(user) {
      if (!defaultMenu) return undefined;
      for (let i = conditionals.length - 1; i >= 0; i--) {
        const c = conditionals[i];
        if (c && matches(c.matchrule, user)) return { menuid: c.menuid, conditional: true, button: c.button };
      }
      return { menuid: defaultMenu.menuid, conditional: false, button: defaultMenu.button };
    },
    reset() {
      defaultMenu = undefined;
      conditionals = [];
    },
  };
}
