/// <reference types="vite/client" />

// Lets plain `tsc` (the root typecheck) see .vue imports; vue-tsc reads the real components.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
