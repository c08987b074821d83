import { DEMO_CITIZENS } from '../../db/seed/demo-citizens';
import { avatarUrl, GREY_AVATAR_SPEC } from './avatar';
import { seconds } from './clock';
import { newOpenid } from './ids';
import type { ClientPlatform, SandboxUser, SubscribeScene } from './types';

/**
 * The people the simulated platform knows. Seeded with the demo citizens (same openids,
 * following) and one snapshot-mode visitor; more appear through the control API or the first
 * OAuth visit with `sandbox_user=<openid>`.
 */
export const SNAPSHOT_VISITOR_OPENID = 'oSbxSnapshotVisitor000000001';
export const OPENID_SHAPE = /^[A-Za-z0-9_-]{6,64}$/;
/** The picker page and `sandbox_user` create users on demand; a runaway script must not grow memory without end. */
const MAX_USERS = 10_000;

export class UserCreateError extends Error {
  constructor(readonly reason: 'malformed' | 'taken' | 'full') {
    super(`cannot create sandbox user: ${reason}`);
    this.name = 'UserCreateError';
  }
}

export interface NewUser {
  openid?: string;
  nickname?: string;
  snapshot?: boolean;
  clientPlatform?: ClientPlatform;
}

export interface UserDirectory {
  list(): SandboxUser[];
  get(openid: string): SandboxUser | undefined;
  byId(id: string): SandboxUser | undefined;
  /** A new, not following user; throws UserCreateError. */
  create(input: NewUser): SandboxUser;
  markFollowed(user: SandboxUser, scene: SubscribeScene, qr?: { sceneId?: number; sceneStr?: string }): void;
  markUnfollowed(user: SandboxUser): void;
  followers(): SandboxUser[];
  reset(): void;
}

const SCENES: Record<string, SubscribeScene> = {
  search: 'ADD_SCENE_SEARCH',
  article: 'ADD_SCENE_PROFILE_LINK',
  profile: 'ADD_SCENE_PROFILE_CARD',
};

export function createUserDirectory(deps: { now: () => number; publicBaseUrl: string }): UserDirectory {
  let users = new Map<string, SandboxUser>();
  let seq = 0;

  function make(openid: string, nickname: string, extra: Partial<SandboxUser> = {}): SandboxUser {
    const user: SandboxUser = {
      id: `u${++seq}`,
      openid,
      nickname,
      headimgurl: avatarUrl(deps.publicBaseUrl, openid, nickname),
      subscribed: false,
      subscribeTime: 0,
      subscribeScene: '',
      qrScene: 0,
      qrSceneStr: '',
      tagids: [],
      language: 'zh_CN',
      remark: '',
      snapshot: false,
      blocked: false,
      clientPlatform: 2,
      consented: false,
      ...extra,
    };
    users.set(openid, user);
    return user;
  }

  function seed() {
    const at = seconds(deps.now());
    DEMO_CITIZENS.forEach((c, i) => {
      const qr = c.acquisitionSource.startsWith('qrscene_') ? c.acquisitionSource.slice('qrscene_'.length) : undefined;
      make(c.openid, c.displayName, {
        subscribed: true,
        subscribeTime: at,
        subscribeScene: qr ? 'ADD_SCENE_QR_CODE' : (SCENES[c.acquisitionSource] ?? 'ADD_SCENE_OTHERS'),
        qrSceneStr: qr ?? '',
        clientPlatform: i === 0 ? 1 : 2,
      });
    });
    // WeChat shows snapshot-mode visitors as "微信用户" with a grey avatar.
    make(SNAPSHOT_VISITOR_OPENID, '微信用户', {
      snapshot: true,
      headimgurl: `${deps.publicBaseUrl}/sandbox/avatar/${GREY_AVATAR_SPEC}/132`,
    });
  }
  seed();

  return {
    list: () => [...users.values()],
    get: (openid) => users.get(openid),
    byId: (id) => [...users.values()].find((u) => u.id === id),
    create(input) {
      const openid = input.openid ?? newOpenid();
      if (!OPENID_SHAPE.test(openid)) throw new UserCreateError('malformed');
      if (users.has(openid)) throw new UserCreateError('taken');
      if (users.size >= MAX_USERS) throw new UserCreateError('full');
      const nickname = input.nickname?.trim() || (input.snapshot ? '微信用户' : `微信用户${openid.slice(-4)}`);
      return make(openid, nickname, {
        snapshot: input.snapshot ?? false,
        clientPlatform: input.clientPlatform ?? 2,
        ...(input.snapshot ? { headimgurl: `${deps.publicBaseUrl}/sandbox/avatar/${GREY_AVATAR_SPEC}/132` } : {}),
      });
    },
    markFollowed(user, scene, qr) {
      user.subscribed = true;
      user.subscribeTime = seconds(deps.now());
      user.subscribeScene = scene;
      user.qrScene = qr?.sceneId ?? 0;
      user.qrSceneStr = qr?.sceneStr ?? '';
    },
    markUnfollowed(user) {
      user.subscribed = false;
    },
    followers: () => [...users.values()].filter((u) => u.subscribed && !u.snapshot),
    reset() {
      users = new Map();
      seq = 0;
      seed();
    },
  };
}
