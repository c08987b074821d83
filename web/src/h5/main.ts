import { createApp } from 'vue';
import App from './App.vue';
import { createH5Router } from './router';
import { initElderMode } from './elder-mode';
import { captureLandingUrl } from './jssdk-url';
import { identity, loadMe } from './preferences';
import { browserStorage, noteOpened } from './recent-services';
import { usageTracker } from '../common/usage';
import { installUsageRouterHook } from '../common/vue-usage';
import './styles.css';

// Before the router touches the URL: iOS WeChat verifies JS-SDK signatures against this one.
captureLandingUrl(window.location.href);
initElderMode();
void loadMe(); // the account's settings win over this phone's once known
const router = createH5Router();
installUsageRouterHook(router, usageTracker());
router.afterEach((to, _from, failure) => {
  if (failure) return;
  void loadMe().then(() => noteOpened(browserStorage(), identity.value ?? 'guest', to.path));
});
createApp(App).use(router).mount('#app');
