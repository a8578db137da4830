// The labs planned but not written yet, shown on the course home as "still to come", without links: a lab
// has a page only once it is in labs/manifest.json. When a lab ships, move it there and delete it here
// (site/plugins/lab-page-sections.unit.test.ts fails while a lab is in both).
export type UpcomingLab = {id: string; title: string; summary: string};

export const upcomingLabs: readonly UpcomingLab[] = [];
