// Writes schemas/domain.rng from the domain layout (run after building core).
import { writeFileSync } from 'node:fs';
import { domainRelaxNg } from '../dist/xml/domain/domain-schema.js';

writeFileSync(new URL('../schemas/domain.rng', import.meta.url), domainRelaxNg());
