/**
 * In-process hand-off for platform events other areas care about. The notifications outbox
 * registers for template receipts (TEMPLATESENDJOBFINISH) and moves sent → delivered/failed.
 */
export interface TemplateReceipt {
  msgId: string;
  /** `success`, `failed:user block`, `failed: system failed`, or anything newer */
  status: string;
  openid: string;
  at: Date;
}

export interface WechatEventBus {
  onTemplateReceipt(handler: (r: TemplateReceipt) => Promise<void> | void): void;
  templateReceipt(r: TemplateReceipt): Promise<void>;
}

export function createWechatEventBus(): WechatEventBus {
  const receiptHandlers: ((r: TemplateReceipt) => Promise<void> | void)[] = [];
  return {
    onTemplateReceipt: (h) => void receiptHandlers.push(h),
    async templateReceipt(r) {
      for (const h of receiptHandlers) await h(r);
    },
  };
}
