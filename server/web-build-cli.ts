import { loadConfig } from './config';
import { ensureWebBuild, webBuildIsCurrent } from './web-build';

// `npm run build:web`: build web/dist (at deploy, or by hand) and stamp it, so `npm start`
// knows it is current. `--force` rebuilds even when the stamp matches.
const { web } = loadConfig();
const force = process.argv.includes('--force');
if (!force && webBuildIsCurrent(web.distDir)) console.log(`${web.distDir} is current`);
else await ensureWebBuild(web.distDir, console.log, { force: true });
