import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorDomain, ErrorNumber } from '../../gen/errors.gen.js';
import { VirError } from '../../errors/vir-error.js';
import { validateWithRelaxNg } from '../xml-document.js';

/** The project's schema of domain XML (schemas/domain.rng in core's package). */
export const DOMAIN_SCHEMA = fileURLToPath(new URL('../../../schemas/domain.rng', import.meta.url));

/** The schema file: beside this module in core's package, or (in a single-file build that contains core) in the installed core. */
function schemaFile(): string {
  if (existsSync(DOMAIN_SCHEMA)) return DOMAIN_SCHEMA;
  try {
    const installed = join(dirname(createRequire(import.meta.url).resolve('@tsvirt/core')), '..', 'schemas', 'domain.rng');
    if (existsSync(installed)) return installed;
  } catch {
    // core is not installed beside the program
  }
  return DOMAIN_SCHEMA;
}

/**
 * Check a domain document against the project's schema, as libvirt's define --validate
 * does (VIR_DOMAIN_DEFINE_VALIDATE): VIR_ERR_XML_INVALID_SCHEMA with the problems found.
 */
export async function validateDomainXml(xml: string): Promise<void> {
  const file = schemaFile();
  if (!existsSync(file)) throw VirError.of(ErrorNumber.XML_INVALID_SCHEMA, ErrorDomain.XML, `Unable to validate doc against ${file}: the schema is not installed`);
  const problems = await validateWithRelaxNg(xml, file);
  if (problems.length) throw VirError.of(ErrorNumber.XML_INVALID_SCHEMA, ErrorDomain.XML, `Unable to validate doc against ${file}\n${problems.join('\n')}`);
}
