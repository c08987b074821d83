/**
 * The phone emulator's state: who holds the phone, their chat with the account, the menu they
 * see, the in-app browser, and what the last pushes to the portal did. Everything goes through
 * the control API; the chat log is polled (only while the page is visible) so late
 * customer-service messages, template cards and notices appear without a reload.
 */
import { computed, ref, shallowRef } from 'vue';
import { describeError } from '../common/api';
import { controlApi, type ChatEntry, type ControlApi, type MatchedMenu, type MenuPosition, type PushOutcome, type SandboxUserView } from './control-api';

export const CHAT_POLL_MS = 1500;
/** Users and menus change less often (admin publishes, another tab): every few chat polls. */
const META_EVERY = 4;
const STORAGE_KEY = 'govportal.sandbox.phoneUser';
const MAX_PUSH_RECORDS = 8;

export interface PushRecord {
  seq: number;
  /** what the person did, e.g. 「点击菜单：办事指南」 */
  label: string;
  at: number;
  outcome: PushOutcome;
}

/** A line the chat shows: a logged entry, or a text still on its way. */
export interface ChatItem {
  key: string;
  entry: ChatEntry;
  pending: boolean;
}

export interface BrowserPage {
  /** the URL the in-app browser opened (the portal's /oauth/start, or any link) */
  url: string;
  /** bumps on every open so the same URL opens afresh */
  seq: number;
}

interface PendingText {
  key: string;
  text: string;
  at: number;
  /** the newest entry id known when it was sent: the logged copy has a larger id */
  after: number;
}

export function createPhoneStore(api: ControlApi = controlApi, storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null = safeStorage()) {
  const users = ref<SandboxUserView[]>([]);
  const userId = ref<string | null>(null);
  const user = computed(() => users.value.find((u) => u.id === userId.value) ?? null);
  const entries = shallowRef<ChatEntry[]>([]);
  const pendingTexts = ref<PendingText[]>([]);
  const menu = shallowRef<MatchedMenu | null>(null);
  const menuLoaded = ref(false);
  const pushes = ref<PushRecord[]>([]);
  const browser = ref<BrowserPage | null>(null);
  const error = ref<string | null>(null);
  const pollError = ref<string | null>(null);
  const toast = ref<string | null>(null);
  const busy = ref(0);

  /** Bumped whenever the phone changes hands (or the sandbox resets): late answers are dropped. */
  let generation = 0;
  /** the newest entry id a poll has returned: the next poll asks for what came after */
  let polledUpTo: number | undefined;
  let chatInFlight: number | null = null;
  let pushSeq = 0;
  let pendingSeq = 0;
  let browserSeq = 0;
  let toastTimer: ReturnType<typeof setTimeout> | undefined;

  const items = computed<ChatItem[]>(() => {
    const list: ChatItem[] = entries.value.map((entry) => ({ key: `e${entry.id}`, entry, pending: false }));
    for (const p of pendingTexts.value) {
      const logged = entries.value.some((e) => e.from === 'user' && e.text === p.text && e.id > p.after);
      if (!logged) list.push({ key: p.key, pending: true, entry: { id: -1, at: p.at, from: 'user', via: 'message', msgType: 'text', text: p.text } });
    }
    return list;
  });

  function merge(more: readonly ChatEntry[]) {
    if (more.length === 0) return;
    const byId = new Map(entries.value.map((e) => [e.id, e]));
    let added = false;
    for (const e of more) {
      if (!byId.has(e.id)) {
        byId.set(e.id, e);
        added = true;
      }
    }
    if (added) entries.value = [...byId.values()].sort((a, b) => a.id - b.id);
  }

  function record(label: string, outcome: PushOutcome | undefined) {
    if (!outcome) return;
    pushes.value = [{ seq: ++pushSeq, label, at: Date.now(), outcome }, ...pushes.value].slice(0, MAX_PUSH_RECORDS);
  }

  function replaceUser(next: SandboxUserView) {
    const i = users.value.findIndex((u) => u.id === next.id);
    if (i === -1) users.value = [...users.value, next];
    else users.value = users.value.map((u) => (u.id === next.id ? next : u));
  }

  function showToast(message: string) {
    toast.value = message;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (toast.value = null), 3000);
  }

  /** Runs an action as the person; failures become the phone's error line. */
  async function act<T>(fn: () => Promise<T>): Promise<T | undefined> {
    error.value = null;
    busy.value++;
    try {
      return await fn();
    } catch (err) {
      error.value = describeError(err);
      return undefined;
    } finally {
      busy.value--;
    }
  }

  function requireUser(): string {
    if (!userId.value) throw new Error('no user holds the phone');
    return userId.value;
  }

  async function loadUsers() {
    users.value = await api.listUsers();
  }

  async function loadMenu() {
    const id = userId.value;
    if (!id) return;
    const gen = generation;
    const m = await api.menuFor(id);
    if (gen !== generation) return;
    // Polled: keep the same object while nothing changed, so an open sub-menu stays put.
    if (JSON.stringify(m) !== JSON.stringify(menu.value)) menu.value = m;
    menuLoaded.value = true;
  }

  async function pollChat() {
    const id = userId.value;
    if (!id || chatInFlight === generation) return;
    const gen = generation;
    chatInFlight = gen;
    try {
      const list = await api.chat(id, polledUpTo);
      if (gen !== generation) return;
      merge(list);
      const last = list[list.length - 1];
      if (last) polledUpTo = Math.max(polledUpTo ?? 0, last.id);
      pollError.value = null;
    } catch (err) {
      if (gen === generation) pollError.value = describeError(err);
    } finally {
      if (chatInFlight === gen) chatInFlight = null;
    }
  }

  function clearPhone() {
    generation++;
    entries.value = [];
    pendingTexts.value = [];
    polledUpTo = undefined;
    menu.value = null;
    menuLoaded.value = false;
    browser.value = null;
  }

  /** The phone is handed to this user: their chat and menu, and the authorize step knows them. */
  async function select(id: string) {
    clearPhone();
    userId.value = id;
    storage?.setItem(STORAGE_KEY, id);
    await act(async () => {
      const { user: held } = await api.holdPhone(id);
      replaceUser(held);
      await Promise.all([pollChat(), loadMenu()]);
    });
  }

  async function init() {
    await act(async () => {
      await loadUsers();
      const saved = storage?.getItem(STORAGE_KEY);
      if (saved && users.value.some((u) => u.id === saved)) await select(saved);
      else if (saved) storage?.removeItem(STORAGE_KEY);
    });
  }

  async function createUser(input: { nickname?: string; follow: boolean }) {
    const made = await act(() => api.createUser(input));
    if (!made) return undefined;
    replaceUser(made.user);
    await select(made.user.id);
    if (made.push) {
      record(`关注：${made.user.nickname}`, made.push);
      merge(made.push.entries);
    }
    return made.user;
  }

  async function follow() {
    await act(async () => {
      const id = requireUser();
      const r = await api.follow(id);
      replaceUser(r.user);
      record('关注公众号', r.push);
      merge(r.push.entries);
      await loadMenu();
    });
  }

  async function unfollow() {
    await act(async () => {
      const id = requireUser();
      browser.value = null;
      const r = await api.unfollow(id);
      replaceUser(r.user);
      record('不再关注', r.push);
      merge(r.push.entries);
    });
  }

  async function sendText(text: string) {
    const id = userId.value;
    if (!id || text.trim() === '') return;
    const pending: PendingText = { key: `p${++pendingSeq}`, text, at: Date.now(), after: Math.max(polledUpTo ?? 0, ...entries.value.map((e) => e.id)) };
    pendingTexts.value = [...pendingTexts.value, pending];
    const gen = generation;
    await act(async () => {
      try {
        const r = await api.sendText(id, text);
        if (gen !== generation) return;
        merge([r.message, ...r.push.entries]);
        record(`发送消息：${text.length > 12 ? `${text.slice(0, 12)}…` : text}`, r.push);
      } finally {
        pendingTexts.value = pendingTexts.value.filter((p) => p.key !== pending.key);
      }
    });
  }

  function openBrowser(url: string) {
    browser.value = { url, seq: ++browserSeq };
  }

  /** A link the person taps in the chat (template 详情, news article): opened inside the phone. */
  async function openLink(url: string) {
    await act(async () => {
      const id = requireUser();
      const { url: resolved } = await api.openUrl(id, url);
      openBrowser(resolved);
    });
  }

  async function tapMenu(at: MenuPosition) {
    await act(async () => {
      const id = requireUser();
      const gen = generation;
      const tap = await api.tapMenu(id, at);
      if (gen !== generation) return;
      switch (tap.action) {
        case 'click':
          record(`点击菜单：${tap.name}`, tap.outcome);
          merge(tap.outcome.entries);
          if (tap.outcome.reply === 'none' && tap.outcome.delivered) showToast(`已发送「${tap.name}」点击事件，公众号未回复`);
          break;
        case 'view':
          // The tap also made the phone this user's (server side), so the authorize step is silent.
          openBrowser(tap.openUrl);
          break;
        case 'miniprogram':
          showToast(`沙箱无法打开小程序（${tap.appid}），已打开备用网页`);
          if (tap.url) openBrowser((await api.openUrl(id, tap.url)).url);
          break;
        case 'media':
          showToast(`「${tap.name}」发送的是永久素材（${tap.type}），沙箱不显示素材内容`);
          break;
        case 'submenu':
          break;
        default:
          showToast(`沙箱不模拟「${tap.type || '未知'}」类型的菜单`);
      }
    });
  }

  function closeBrowser() {
    browser.value = null;
  }

  async function reset() {
    const keep = userId.value;
    const done = await act(async () => {
      await api.reset();
      clearPhone();
      pushes.value = [];
      await loadUsers();
      return true;
    });
    if (!done) return false;
    if (keep && users.value.some((u) => u.id === keep)) await select(keep);
    else {
      userId.value = null;
      storage?.removeItem(STORAGE_KEY);
    }
    return true;
  }

  /** Users and the menu: changed by other tabs, tests, or an admin publishing a menu. */
  async function refreshMeta() {
    try {
      await loadUsers();
      if (userId.value && !users.value.some((u) => u.id === userId.value)) {
        clearPhone();
        userId.value = null;
        return;
      }
      await loadMenu();
    } catch (err) {
      pollError.value = describeError(err);
    }
  }

  let timer: ReturnType<typeof setInterval> | undefined;
  let ticks = 0;
  const tick = () => {
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    void pollChat();
    if (++ticks % META_EVERY === 0) void refreshMeta();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') tick();
  };

  function start() {
    if (timer) return;
    timer = setInterval(tick, CHAT_POLL_MS);
    document.addEventListener('visibilitychange', onVisible);
  }

  function stop() {
    clearInterval(timer);
    timer = undefined;
    clearTimeout(toastTimer);
    document.removeEventListener('visibilitychange', onVisible);
  }

  return {
    users,
    userId,
    user,
    items,
    menu,
    menuLoaded,
    pushes,
    browser,
    error,
    pollError,
    toast,
    busy,
    init,
    select,
    createUser,
    follow,
    unfollow,
    sendText,
    tapMenu,
    openLink,
    closeBrowser,
    reset,
    pollChat,
    refreshMeta,
    showToast,
    dismissError: () => (error.value = null),
    start,
    stop,
  };
}

export type PhoneStore = ReturnType<typeof createPhoneStore>;

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
