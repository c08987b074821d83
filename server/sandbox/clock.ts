/** The platform's day boundaries are Beijing midnights (quotas reset then). */
export const beijingDay = (nowMs: number): number => Math.floor((nowMs + 8 * 3600_000) / 86_400_000);

export const seconds = (nowMs: number): number => Math.floor(nowMs / 1000);
