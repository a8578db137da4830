// Components every page may use without importing them. LastGrade is placed on the lab pages by
// site/plugins/remark-last-grade.mjs, which cannot add an import line to a page.
import MDXComponents from '@theme-original/MDXComponents';
import LastGrade from '@site/src/components/LastGrade';

export default {...MDXComponents, LastGrade};
