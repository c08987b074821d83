/** Side-menu entries; later issues add login state, the application queue and reports. */
export interface NavItem {
  path: string;
  label: string;
}

export const NAV_ITEMS: NavItem[] = [{ path: '/status', label: '系统状态' }];
