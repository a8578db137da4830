import path from 'node:path';
import type {Config} from '@docusaurus/types';
import type * as Preset from '@docusaurus/preset-classic';
import {themes as prismThemes} from 'prism-react-renderer';
import learnerProgress from './plugins/learner-progress.mjs';
import remarkCodeFromFile from './plugins/remark-code-from-file.mjs';
import remarkLastGrade from './plugins/remark-last-grade.mjs';

// Snippets name their files relative to the repository root (STYLE habit 8).
const repoRoot = path.resolve(__dirname, '..');

// scripts/broken-link-probe.ts sets this to a folder holding one page with a broken link, to prove that
// such a page fails the build. The probe page lives outside site/docs and is served by the pages plugin.
const brokenLinkProbeDir = process.env.KIT_BROKEN_LINK_PROBE;

const config: Config = {
  title: 'Distributed Data Patterns Lab Kit',
  tagline: 'Outbox, sagas, API composition, CQRS and event sourcing, lab by lab, in TypeScript',
  favicon: 'img/favicon.svg',
  url: 'http://localhost:3000',
  baseUrl: '/',

  onBrokenLinks: 'throw',
  onBrokenAnchors: 'throw',
  onDuplicateRoutes: 'throw',

  markdown: {
    mermaid: true,
    hooks: {
      onBrokenMarkdownLinks: 'throw',
    },
  },
  themes: [
    '@docusaurus/theme-mermaid',
    [
      '@easyops-cn/docusaurus-search-local',
      {
        hashed: true,
        indexDocs: true,
        indexBlog: false,
        indexPages: false,
        docsRouteBasePath: '/',
        language: ['en'],
        highlightSearchTermsOnTargetPage: true,
        explicitSearchResultPath: true,
      },
    ],
  ],

  // The learner's own progress and last runs, read from .kit/ and watched under `npm start` only.
  plugins: [[learnerProgress, {root: repoRoot}]],

  i18n: {defaultLocale: 'en', locales: ['en']},

  presets: [
    [
      'classic',
      {
        docs: {
          path: 'docs',
          routeBasePath: '/',
          sidebarPath: './sidebars.ts',
          // Keep "00-setup" as the page id and URL, as labs/manifest.json names it; by default Docusaurus
          // would strip the number and serve the page as "setup".
          numberPrefixParser: false,
          beforeDefaultRemarkPlugins: [
            [remarkCodeFromFile, {root: repoRoot}],
            // The learner's last result under "Grade it" on every lab page (empty in a production build).
            [remarkLastGrade, {root: repoRoot}],
          ],
        },
        blog: false,
        pages: brokenLinkProbeDir ? {path: brokenLinkProbeDir} : false,
        theme: {customCss: './src/css/custom.css'},
      } satisfies Preset.Options,
    ],
  ],

  themeConfig: {
    navbar: {
      title: 'Distributed Data Patterns Lab Kit',
      items: [
        {type: 'docSidebar', sidebarId: 'course', position: 'left', label: 'Course'},
        {to: '/using-the-kit', label: 'Using the kit', position: 'left'},
        {to: '/glossary', label: 'Glossary', position: 'left'},
        {to: '/your-progress', label: 'Your progress', position: 'right'},
      ],
    },
    footer: {
      style: 'dark',
      copyright: 'Distributed Data Patterns Lab Kit · MIT licensed · built with Docusaurus',
    },
    prism: {
      theme: prismThemes.github,
      darkTheme: prismThemes.dracula,
      additionalLanguages: ['bash', 'json', 'sql'],
    },
    mermaid: {
      theme: {light: 'neutral', dark: 'dark'},
    },
  } satisfies Preset.ThemeConfig,
};

export default config;
