import type { ApiCaller } from './types';

/** A template message (PROTOCOL §7.1). `color` is accepted but no longer displayed (2023). */
export interface TemplateMessage {
  touser: string;
  template_id: string;
  url?: string;
  /** when both are given the mini program wins; url is the fallback for old clients */
  miniprogram?: { appid: string; pagepath?: string };
  /**
   * Anti-duplicate id: for the same openid + client_msg_id WeChat sends only one message within
   * 10 minutes. Always set it (e.g. the outbox row id): it also makes a timed-out send safe to retry.
   */
  client_msg_id?: string;
  data: Record<string, { value: string; color?: string }>;
}

export interface TemplateSendResult {
  /** 64-bit id, kept as a string; the TEMPLATESENDJOBFINISH event carries it as MsgID */
  msgid: string;
}

export function templateApi(c: ApiCaller) {
  return {
    async send(message: TemplateMessage): Promise<TemplateSendResult> {
      const res = await c.withToken<{ msgid: string | number }>('POST', '/cgi-bin/message/template/send', {
        body: message,
        // Without client_msg_id a send that timed out may have been delivered: never resend it blindly.
        retryOnNetworkError: Boolean(message.client_msg_id),
      });
      return { msgid: String(res.msgid) };
    },
  };
}
export type TemplateApi = ReturnType<typeof templateApi>;
