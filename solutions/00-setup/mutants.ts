import { defineMutants } from '#shared/harness/mutants.ts';

export default defineMutants([
  {
    id: 'average',
    note: 'averages the availabilities, as if a request needed only a typical service to be up',
    file: 'availability.ts',
    replace: [
      {
        from: 'return availabilities.reduce((product, availability) => product * availability, 1);',
        to: 'return availabilities.length === 0 ? 1 : availabilities.reduce((sum, a) => sum + a, 0) / availabilities.length;',
      },
    ],
  },
  {
    id: 'weakest-link',
    note: 'takes the weakest service alone, forgetting that the others fail at other moments',
    file: 'availability.ts',
    replace: [{ from: 'return availabilities.reduce((product, availability) => product * availability, 1);', to: 'return Math.min(1, ...availabilities);' }],
  },
]);
