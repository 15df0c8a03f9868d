import adapter from '@sveltejs/adapter-node';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    // SvelteKit 3 takes its config here: svelte.config.js is no longer read.
    sveltekit({
      adapter: adapter({ out: 'build' }),
      csp: {
        // Hashes the inline bootstrapping script, so script-src needs no 'unsafe-inline'.
        mode: 'hash',
        directives: {
          'default-src': ['self'],
          'script-src': ['self'],
          'connect-src': ['self', 'ws:', 'wss:'],
          'img-src': ['self', 'data:'],
          // Svelte transitions and style: directives set inline styles.
          'style-src': ['self', 'unsafe-inline'],
          'object-src': ['none'],
          'base-uri': ['self'],
          'form-action': ['self'],
          'frame-ancestors': ['none'],
        },
      },
    }),
  ],
  build: {
    // Fonts stay files: Vite inlines assets under 4 KB as data: URLs, and the CSP (font-src
    // falls back to default-src 'self') blocks a data: font (one of KaTeX's is 3.6 KB).
    assetsInlineLimit: (file) => (/\.(woff2?|ttf|otf)$/.test(file) ? false : undefined),
  },
});
