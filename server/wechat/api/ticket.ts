import type { ApiCaller } from './types';

export interface TicketResult {
  ticket: string;
  expires_in: number;
}

export function ticketApi(c: ApiCaller) {
  return {
    /**
     * A fresh ticket straight from WeChat. Rate-limited by the platform: callers want the shared,
     * cached one (`client.jsapiTicket()`, backed by the token store), not this.
     */
    getTicket: (type: 'jsapi' | 'wx_card' = 'jsapi') => c.withToken<TicketResult>('GET', '/cgi-bin/ticket/getticket', { query: { type } }),
  };
}
export type TicketApi = ReturnType<typeof ticketApi>;
