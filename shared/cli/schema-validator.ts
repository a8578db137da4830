import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type AnySchema } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { REPO_ROOT } from '../harness/mutants.ts';

// ajv-formats is CommonJS: under ESM its function is the default export's `default`.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as typeof addFormatsModule;

/**
 * A validator for a JSON Schema file of the repository (ours, or one vendored in shared/vendor/schemas), built
 * with ajv. It returns the problems as `path: message` lines, empty when the value is valid. Used by tests:
 * the GitHub workflow, the dev container and `npm run grade -- NN --json` are checked against their schemas.
 */
export function schemaValidator(schemaFile: string): (value: unknown) => string[] {
  const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, schemaFile), 'utf8')) as AnySchema & { $schema?: string };
  // strict: false because editors' schemas carry keywords of their own (deprecationMessage, allowComments...).
  const options = { strict: false, allErrors: true };
  const ajv = schema.$schema?.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}`));
}
