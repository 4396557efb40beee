// Builds the agent app (src/web/agent) into dist/web, served by Parley at /.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'src/web/agent',
  plugins: [react()],
  build: { outDir: '../../../dist/web', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
