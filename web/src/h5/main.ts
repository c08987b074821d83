import { createApp } from 'vue';
import App from './App.vue';
import { createH5Router } from './router';
import { initElderMode } from './elder-mode';
import { usageTracker } from '../common/usage';
import { installUsageRouterHook } from '../common/vue-usage';
import './styles.css';

initElderMode();
const router = createH5Router();
installUsageRouterHook(router, usageTracker());
createApp(App).use(router).mount('#app');
