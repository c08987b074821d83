export * from './civil-date';
export * from './holidays';
export * from './working-days';
