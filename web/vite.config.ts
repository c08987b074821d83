/**
 * Builds the three web apps as one multi-page Vite project:
 * web/src/{h5,admin,sandbox}/index.html → web/dist/{h5,admin,sandbox}/index.html + web/dist/assets/.
 */
import { fileURLToPath } from 'node:url';
import type { Connect } from 'vite';
import { defineConfig, type Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

const srcDir = fileURLToPath(new URL('./src', import.meta.url));
const outDir = fileURLToPath(new URL('./dist', import.meta.url));
const apps = ['h5', 'admin', 'sandbox'] as const;
const apiTarget = 'http://127.0.0.1:3000';

/**
 * Dev only: each app uses HTML5 history under its own base, so a deep link such as
 * /h5/violations must be answered with that app's index.html (nginx/Koa do this in production).
 */
function appHistoryFallback(): Plugin {
  const pattern = new RegExp(`^/(${apps.join('|')})(?:/[^.?]*)?(\\?.*)?$`);
  const rewrite: Connect.NextHandleFunction = (req, _res, next) => {
    const match = req.method === 'GET' && req.headers.accept?.includes('text/html') ? pattern.exec(req.url ?? '') : null;
    if (match) req.url = `/${match[1]}/index.html${match[2] ?? ''}`;
    next();
  };
  return {
    name: 'govportal:app-history-fallback',
    configureServer: (server) => void server.middlewares.use(rewrite),
    configurePreviewServer: (server) => void server.middlewares.use(rewrite),
  };
}

// Server routes, including the WeChat simulator's API under /sandbox (server/app.ts API_PREFIXES).
const proxied = ['/api', '/healthz', '/readyz', '/oauth', '/wechat', '/sandbox/api', '/sandbox/cgi-bin', '/sandbox/sns', '/sandbox/connect', '/sandbox/jweixin.js'];

export default defineConfig({
  root: srcDir,
  base: '/',
  appType: 'mpa',
  publicDir: false,
  plugins: [vue(), appHistoryFallback()],
  server: {
    proxy: Object.fromEntries(proxied.map((path) => [path, apiTarget])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((path) => [path, apiTarget])),
  },
  build: {
    outDir,
    emptyOutDir: true,
    // WeChat's browser on Android (XWeb) and iOS (WKWebView) both handle ES2020.
    target: 'es2020',
    chunkSizeWarningLimit: 400,
    rolldownOptions: {
      input: Object.fromEntries(apps.map((app) => [app, `${srcDir}/${app}/index.html`])),
      output: {
        // Libraries in their own long-cached chunks; the h5 entry never pulls element-plus.
        codeSplitting: {
          groups: [
            { name: 'vue', test: /node_modules[\\/](?:@vue|vue)[\\/]/, priority: 30 },
            { name: 'vue-router', test: /node_modules[\\/]vue-router[\\/]/, priority: 30 },
            { name: 'vant', test: /node_modules[\\/](?:vant|@vant)[\\/]/, priority: 20 },
            // ECharts only for the lazily loaded report pages (admin); never in the h5 entry.
            { name: 'echarts', test: /node_modules[\\/](?:echarts|zrender)[\\/]/, priority: 20 },
            {
              name: 'element-plus',
              test: /node_modules[\\/](?:element-plus|@element-plus|@floating-ui|@popperjs|@vueuse|@ctrl|lodash-es|lodash-unified|dayjs|async-validator|memoize-one|normalize-wheel-es)[\\/]/,
              priority: 20,
            },
          ],
        },
      },
    },
  },
});
