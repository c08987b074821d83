import { createApp } from 'vue';
import App from './App.vue';
import { setSignedOutHandler } from './api';
import { createAdminRouter } from './router';
import './styles.css';

const router = createAdminRouter();
// An API call answered 401 (session expired or revoked): sign in again and come back.
setSignedOutHandler((returnPath) => void router.push({ name: 'login', query: returnPath === '/' ? {} : { return: returnPath } }));
createApp(App).use(router).mount('#app');
