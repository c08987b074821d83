// A module file (it imports), so this augments vue-router instead of replacing its types.
import 'vue-router';

declare module 'vue-router' {
  interface RouteMeta {
    /** Page name recorded in the usage log, e.g. `h5.hall` (letters, digits, . _ : / -). */
    page?: string;
    /** Document title while the route is shown. */
    title?: string;
  }
}
