import type {SidebarsConfig} from '@docusaurus/plugin-content-docs';
import manifest from '../labs/manifest.json';

// The labs come from labs/manifest.json, the one list of labs; a lab whose page is missing fails the build.
const sidebars: SidebarsConfig = {
  course: [
    'intro',
    'using-the-kit',
    'your-progress',
    {
      type: 'category',
      label: 'Labs',
      collapsed: false,
      items: manifest.labs.map((lab) => ({
        type: 'doc' as const,
        id: lab.docs,
        label: `${lab.id} · ${lab.title}`,
      })),
    },
    {
      type: 'category',
      label: 'Concepts',
      collapsed: false,
      items: ['concepts/sagas', 'concepts/messaging', 'concepts/queries'],
    },
    {
      type: 'category',
      label: 'Appendix',
      collapsed: true,
      items: ['appendix/outbox-benchmark'],
    },
    'glossary',
    {
      type: 'category',
      label: 'Instructor guide',
      collapsed: true,
      link: {type: 'doc', id: 'instructors/index'},
      items: ['instructors/classroom', ...manifest.labs.map((lab) => `instructors/${lab.folder}`)],
    },
    'coverage',
    'cloud',
    'contributing',
  ],
};

export default sidebars;
