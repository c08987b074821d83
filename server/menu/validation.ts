import type { z } from 'zod';
import { AppError } from '../http/errors';
import {
  KEYED_TYPES,
  MENU_LIMITS,
  PORTAL_PAGE_PREFIX,
  PRIVACY_MATCH_FIELDS,
  REQUIRED_FIELDS,
  menuModelSchema,
  utf8Bytes,
  type MatchRule,
  type MenuButton,
  type MenuModel,
  type MenuSubButton,
} from './model';

/**
 * The platform's menu rules (PROTOCOL §4.2/§4.3), checked before anything is sent. Every problem
 * names the button it is about, by its names (`按钮“办事服务 › 预约办理”：…`) or, when a name is
 * missing, by position (`#2`), so a staff member finds it in the editor. Messages are Chinese
 * because staff read them; `rule` is the stable code for programs and tests.
 */

export type MenuRule =
  | 'shape'
  | 'top_count'
  | 'sub_count'
  | 'nesting'
  | 'name_required'
  | 'name_bytes'
  | 'parent_has_action'
  | 'type_required'
  | 'type_allowed'
  | 'field_required'
  | 'key_bytes'
  | 'key_format'
  | 'key_unique'
  | 'url_bytes'
  | 'url_format'
  | 'matchrule_empty'
  | 'matchrule_privacy'
  | 'matchrule_field'
  | 'matchrule_value'
  | 'default_required';

export interface MenuProblem {
  /** e.g. `button.1.sub_button.0.name` (0-based, like the JSON) */
  path: string;
  /** `办事服务 › 预约办理`, or null for the menu as a whole */
  button: string | null;
  rule: MenuRule;
  message: string;
}

/**
 * `model`: the stored model (portal page paths allowed in view URLs).
 * `payload`: the JSON about to be sent (URLs already rewritten, so their final length counts).
 */
export type ValidationStage = 'model' | 'payload';

/** Attribution keys go into URLs and usage events. */
export const ATTRIBUTION_KEY_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

const nameOf = (b: unknown, index: number): string => {
  const name = b && typeof b === 'object' ? (b as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name : `#${index + 1}`;
};

/** Label of a button from raw (possibly invalid) input. */
function labelAt(input: unknown, top: number, sub?: number): string {
  const buttons = (input as { button?: unknown })?.button;
  const t = Array.isArray(buttons) ? buttons[top] : undefined;
  const topName = nameOf(t, top);
  if (sub === undefined) return topName;
  const subs = (t as { sub_button?: unknown })?.sub_button;
  return `${topName} › ${nameOf(Array.isArray(subs) ? subs[sub] : undefined, sub)}`;
}

const say = (button: string | null, text: string) => (button === null ? `菜单：${text}` : `按钮“${button}”：${text}`);

function problem(path: (string | number)[], button: string | null, rule: MenuRule, text: string): MenuProblem {
  return { path: path.join('.'), button, rule, message: say(button, text) };
}

/** zod issues → problems that name the button. */
function shapeProblems(input: unknown, error: z.ZodError): MenuProblem[] {
  return error.issues.slice(0, 50).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    let button: string | null = null;
    if (path[0] === 'button' && typeof path[1] === 'number') {
      button = path[2] === 'sub_button' && typeof path[3] === 'number' ? labelAt(input, path[1], path[3]) : labelAt(input, path[1]);
    }
    const field = path.at(-1);
    if (issue.code === 'invalid_value' && field === 'type') {
      const given = getAt(input, path);
      return problem(path, button, 'type_allowed', `类型“${String(given)}”不是公众号菜单支持的按钮类型`);
    }
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      if (path.length === 4 && keys.includes('sub_button')) {
        return problem([...path, 'sub_button'], button, 'nesting', '子菜单下不能再有子菜单（菜单最多两级）');
      }
      return problem(path, button, 'shape', `不认识的字段${keys.map((k) => `“${k}”`).join('、')}`);
    }
    // zod's own wording is English and technical: name the field and say what kind of value it needs.
    const where = path.length ? `字段 ${path.join('.')} ` : '菜单数据';
    return problem(path, button, 'shape', `${where}格式不正确（${shapeHint(issue.code)}）`);
  });
}

const SHAPE_HINTS: Record<string, string> = {
  invalid_type: '类型不对',
  too_big: '太长或太多',
  too_small: '太短或太少',
  invalid_format: '写法不对',
  invalid_value: '取值不在允许范围',
  invalid_union: '取值不在允许范围',
};
const shapeHint = (code: string) => SHAPE_HINTS[code] ?? '不符合要求';

function getAt(input: unknown, path: (string | number)[]): unknown {
  let v: unknown = input;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

/** Shape check only: the model, or the problems that keep it from being one. */
export function parseMenuShape(input: unknown): { menu: MenuModel; problems: [] } | { menu: null; problems: MenuProblem[] } {
  const r = menuModelSchema.safeParse(input);
  if (r.success) return { menu: r.data, problems: [] };
  return { menu: null, problems: shapeProblems(input, r.error) };
}

const isHttpUrl = (u: string) => {
  try {
    const p = new URL(u);
    return p.protocol === 'http:' || p.protocol === 'https:';
  } catch {
    return false;
  }
};

/** A portal page given by path: `/h5/…` (no scheme, no `//host`). */
export const isPortalPagePath = (u: string) => u.startsWith(PORTAL_PAGE_PREFIX) || u === PORTAL_PAGE_PREFIX.slice(0, -1);

const present = (v: string | undefined): v is string => typeof v === 'string' && v.trim() !== '';

/** Every rule violation of a well-shaped menu (empty when it may be published). */
export function menuProblems(menu: MenuModel, opts: { stage?: ValidationStage } = {}): MenuProblem[] {
  const stage = opts.stage ?? 'model';
  const out: MenuProblem[] = [];
  const keys = new Map<string, string>();
  const tops = menu.button;

  if (tops.length === 0) out.push(problem(['button'], null, 'top_count', '至少需要 1 个一级菜单'));
  if (tops.length > MENU_LIMITS.topButtons) {
    out.push(problem(['button'], null, 'top_count', `有 ${tops.length} 个一级菜单，最多 ${MENU_LIMITS.topButtons} 个`));
  }

  const checkName = (b: MenuLeafLike, path: (string | number)[], label: string, limit: number) => {
    if (!present(b.name)) {
      out.push(problem([...path, 'name'], label, 'name_required', '名称为空'));
      return;
    }
    const bytes = utf8Bytes(b.name);
    if (bytes > limit) out.push(problem([...path, 'name'], label, 'name_bytes', `名称 ${bytes} 字节，超过上限 ${limit} 字节（一个汉字占 3 字节）`));
  };

  const checkLeaf = (b: MenuSubButton, path: (string | number)[], label: string) => {
    if (!b.type) {
      out.push(problem([...path, 'type'], label, 'type_required', '没有设置类型（也没有子菜单）'));
      return;
    }
    for (const field of REQUIRED_FIELDS[b.type]) {
      if (!present(b[field])) out.push(problem([...path, field], label, 'field_required', `类型 ${b.type} 必须填写 ${field}`));
    }
    if (present(b.key) && (KEYED_TYPES.includes(b.type) || b.type === 'view')) {
      const bytes = utf8Bytes(b.key);
      if (bytes > MENU_LIMITS.keyBytes) out.push(problem([...path, 'key'], label, 'key_bytes', `key ${bytes} 字节，超过上限 ${MENU_LIMITS.keyBytes} 字节`));
      if (b.type === 'view' && stage === 'model' && !ATTRIBUTION_KEY_RE.test(b.key)) {
        out.push(problem([...path, 'key'], label, 'key_format', `网页按钮的 key“${b.key}”只能由 1–${MENU_LIMITS.attributionKeyChars} 个字母、数字或 _ . : - 组成`));
      }
      const other = keys.get(b.key);
      if (other !== undefined) out.push(problem([...path, 'key'], label, 'key_unique', `key“${b.key}”已被“${other}”使用`));
      else keys.set(b.key, label);
    }
    if (present(b.url) && (b.type === 'view' || b.type === 'miniprogram')) {
      const bytes = utf8Bytes(b.url);
      const after = stage === 'payload' && b.type === 'view' ? '（加上网页授权跳转后）' : '';
      if (bytes > MENU_LIMITS.urlBytes) out.push(problem([...path, 'url'], label, 'url_bytes', `网址${after} ${bytes} 字节，超过上限 ${MENU_LIMITS.urlBytes} 字节`));
      const portalPathOk = stage === 'model' && b.type === 'view' && isPortalPagePath(b.url);
      if (!portalPathOk && !isHttpUrl(b.url)) {
        out.push(
          problem(
            [...path, 'url'],
            label,
            'url_format',
            b.type === 'view' && stage === 'model'
              ? `网址必须是 http(s) 地址，或以 ${PORTAL_PAGE_PREFIX} 开头的本站页面路径`
              : '网址必须是 http(s) 地址',
          ),
        );
      }
    }
  };

  tops.forEach((top, i) => {
    const path: (string | number)[] = ['button', i];
    const label = nameOf(top, i);
    checkName(top, path, label, MENU_LIMITS.topNameBytes);
    const subs = top.sub_button;
    if (subs && subs.length > 0) {
      const action = (['type', 'key', 'url', 'media_id', 'article_id', 'appid', 'pagepath'] as const).filter((f) => top[f] !== undefined);
      if (action.length) {
        const what = top.type ? `类型“${top.type}”` : ` ${action.join('、')}`;
        out.push(problem([...path, action[0]!], label, 'parent_has_action', `已有子菜单，不能再设置${what}`));
      }
      if (subs.length > MENU_LIMITS.subButtons) {
        out.push(problem([...path, 'sub_button'], label, 'sub_count', `有 ${subs.length} 个子菜单，最多 ${MENU_LIMITS.subButtons} 个`));
      }
      subs.forEach((sub, j) => {
        const subPath = [...path, 'sub_button', j];
        const subLabel = `${label} › ${nameOf(sub, j)}`;
        checkName(sub, subPath, subLabel, MENU_LIMITS.subNameBytes);
        checkLeaf(sub, subPath, subLabel);
      });
    } else if (subs && !top.type) {
      out.push(problem([...path, 'sub_button'], label, 'sub_count', `既没有子菜单也没有类型：请添加 1–${MENU_LIMITS.subButtons} 个子菜单或设置类型`));
    } else {
      checkLeaf(top, path, label);
    }
  });
  return out;
}

type MenuLeafLike = Pick<MenuButton, 'name'>;

/** Throw MENU_INVALID listing every problem (message: the first one, and how many more). */
export function throwMenuInvalid(problems: MenuProblem[]): never {
  const first = problems[0];
  const more = problems.length > 1 ? `（另有 ${problems.length - 1} 个问题）` : '';
  throw new AppError('MENU_INVALID', first ? `${first.message}${more}` : undefined, problems);
}

/** Shape + rules; the model when it may be published, MENU_INVALID otherwise. */
export function validateMenu(input: unknown, opts: { stage?: ValidationStage } = {}): MenuModel {
  const shape = parseMenuShape(input);
  if (!shape.menu) throwMenuInvalid(shape.problems);
  const problems = menuProblems(shape.menu, opts);
  if (problems.length) throwMenuInvalid(problems);
  return shape.menu;
}

/**
 * A conditional menu's rule: tag_id and/or client_platform_type (strings, as WeChat spells
 * them; numbers are accepted and turned into strings). The privacy fields are refused as the
 * platform does (65320).
 */
export function parseMatchRule(input: unknown): { rule: MatchRule; problems: [] } | { rule: null; problems: MenuProblem[] } {
  const problems: MenuProblem[] = [];
  const p = (field: string, rule: MenuRule, text: string) => problems.push({ path: `matchRule${field ? `.${field}` : ''}`, button: null, rule, message: `匹配规则：${text}` });
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    p('', 'matchrule_empty', '个性化菜单需要匹配规则（tag_id 和/或 client_platform_type）');
    return { rule: null, problems };
  }
  const rule: MatchRule = {};
  for (const [field, raw] of Object.entries(input as Record<string, unknown>)) {
    if (raw === undefined || raw === null || raw === '') continue;
    const value = typeof raw === 'number' ? String(raw) : raw;
    if ((PRIVACY_MATCH_FIELDS as readonly string[]).includes(field)) {
      p(field, 'matchrule_privacy', `${field} 已不能用于匹配（微信以 65320 拒绝），请改用 tag_id 或 client_platform_type`);
    } else if (field === 'tag_id') {
      if (typeof value === 'string' && /^\d{1,10}$/.test(value)) rule.tag_id = value;
      else p(field, 'matchrule_value', 'tag_id 必须是标签 ID（数字）');
    } else if (field === 'client_platform_type') {
      if (value === '1' || value === '2' || value === '3') rule.client_platform_type = value;
      else p(field, 'matchrule_value', 'client_platform_type 只能是 1（iOS）、2（Android）或 3（其他）');
    } else {
      p(field, 'matchrule_field', `不认识的字段“${field}”`);
    }
  }
  if (!problems.length && !rule.tag_id && !rule.client_platform_type) {
    p('', 'matchrule_empty', '个性化菜单需要 tag_id 和/或 client_platform_type');
  }
  return problems.length ? { rule: null, problems } : { rule, problems: [] };
}
